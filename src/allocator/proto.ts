/**
 * Conversion between {@link Entry} lists and the wire `mezzo.v1.Resource` message. The
 * shape is declared structurally here so that the allocator needs no runtime import of
 * the generated gRPC code (and stays free of I/O dependencies).
 */
import { ValidationError } from '../shared/errors.js';
import { scalarProblem, toMilli } from './fixed.js';
import { validateRole } from './parse.js';
import {
  makeEntry,
  normalizeRanges,
  type Entry,
  type Range,
  type Reservation,
} from './resource-entry.js';

/** A 64-bit integer as protobuf loaders hand it out. */
export type WireInt = number | string | { toNumber(): number };

/** The fields of `mezzo.v1.Resource` (as generated: all optional on input). */
export interface ResourceProtoLike {
  name?: string;
  type?: 'TYPE_UNSPECIFIED' | 'SCALAR' | 'RANGES' | 'SET' | 0 | 1 | 2 | 3;
  scalar?: number | string;
  ranges?: { begin?: WireInt; end?: WireInt }[];
  set?: string[];
  reservations?: {
    type?: 'TYPE_UNSPECIFIED' | 'STATIC' | 'DYNAMIC' | 0 | 1 | 2;
    role?: string;
    principal?: string;
    labels?: Record<string, string>;
  }[];
  revocable?: boolean;
}

/**
 * What {@link entriesToProto} produces: the same message with plain numbers and string
 * enums, assignable to the generated `mezzo.v1.Resource` as well as to
 * {@link ResourceProtoLike}.
 */
export interface ResourceProto {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: number;
  ranges?: { begin: number; end: number }[];
  set?: string[];
  reservations?: {
    type: 'STATIC' | 'DYNAMIC';
    role: string;
    principal?: string;
    labels?: Record<string, string>;
  }[];
  revocable?: boolean;
}

function int(v: WireInt | undefined, path: string): number {
  const n = typeof v === 'object' ? v.toNumber() : Number(v ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ValidationError(path, `range bound ${String(n)} is not a non-negative integer`);
  }
  return n;
}

/** Converts wire messages to entries. */
export function entriesFromProto(list: readonly ResourceProtoLike[]): Entry[] {
  return list.map((r, i) => {
    const path = `resources[${i}]`;
    const name = r.name ?? '';
    if (name === '') throw new ValidationError(`${path}.name`, 'a resource needs a name');
    const reservations: Reservation[] = (r.reservations ?? []).map((res, j) => {
      const role = res.role ?? '';
      validateRole(role, `${path}.reservations[${j}].role`);
      const type = res.type === 'DYNAMIC' || res.type === 2 ? 'DYNAMIC' : 'STATIC';
      return {
        type,
        role,
        ...(res.principal ? { principal: res.principal } : {}),
        ...(res.labels && Object.keys(res.labels).length > 0 ? { labels: res.labels } : {}),
      };
    });
    const revocable = r.revocable ?? false;
    const type = r.type ?? 'SCALAR';
    if (type === 'RANGES' || type === 2) {
      const ranges: Range[] = (r.ranges ?? []).map((x, j) => {
        const b = int(x.begin, `${path}.ranges[${j}].begin`);
        const e = int(x.end, `${path}.ranges[${j}].end`);
        if (e < b)
          throw new ValidationError(`${path}.ranges[${j}]`, `${b}-${e} ends before it begins`);
        return [b, e];
      });
      return makeEntry({
        name,
        kind: 'ranges',
        ranges: normalizeRanges(ranges),
        reservations,
        revocable,
      });
    }
    if (type === 'SET' || type === 3) {
      const items = [...new Set(r.set ?? [])].sort();
      return makeEntry({ name, kind: 'set', items, reservations, revocable });
    }
    if (type !== 'SCALAR' && type !== 1) {
      throw new ValidationError(`${path}.type`, `unknown resource type ${String(type)}`);
    }
    const v = Number(r.scalar ?? 0);
    const problem = scalarProblem(v);
    if (problem !== undefined) {
      throw new ValidationError(`${path}.scalar`, `${name}: ${String(r.scalar)} ${problem}`);
    }
    return makeEntry({ name, kind: 'scalar', milli: toMilli(v), reservations, revocable });
  });
}

/** Converts entries to wire messages. */
export function entriesToProto(entries: readonly Entry[]): ResourceProto[] {
  return entries.map((e) => {
    const out: ResourceProto = {
      name: e.name,
      type: e.kind === 'scalar' ? 'SCALAR' : e.kind === 'ranges' ? 'RANGES' : 'SET',
    };
    if (e.kind === 'scalar') out.scalar = e.milli / 1000;
    if (e.kind === 'ranges') out.ranges = e.ranges.map(([begin, end]) => ({ begin, end }));
    if (e.kind === 'set') out.set = [...e.items];
    if (e.reservations.length > 0) {
      out.reservations = e.reservations.map((r) => ({
        type: r.type,
        role: r.role,
        ...(r.principal ? { principal: r.principal } : {}),
        ...(r.labels ? { labels: { ...r.labels } } : {}),
      }));
    }
    if (e.revocable) out.revocable = true;
    return out;
  });
}
