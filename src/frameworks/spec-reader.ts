/**
 * Reading an object's spec as a built-in framework must: as hostile input. The CRDs'
 * schemas normally stand between users and the frameworks, but an old object, a
 * hand-edited one or one written past the apiserver reaches them unchecked, so each
 * framework reads every field it uses through these helpers: a field of the wrong type
 * or out of the bounds the framework can serve is a {@link SpecProblem} naming it, which
 * the framework turns into a status condition on that object alone.
 *
 * The bounds here are what a framework can act on safely, never stricter than the CRDs'
 * (which stay the definition of a valid object): an object the apiserver accepts is
 * always read.
 */
import { parseQuantity } from '../allocator/index.js';
import { ValidationError } from '../shared/errors.js';

/** Why a spec cannot be served: the field and what is wrong with it. */
export interface SpecProblem {
  /** Path of the field, e.g. `spec.resources.ports`. */
  path: string;
  /** `path: what is wrong`, ready for a condition message. */
  message: string;
}

/** The outcome of reading a spec: the value, or the first problem found. */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; problem: SpecProblem };

/** A plain object, as JSON gives them. */
export type Fields = Record<string, unknown>;

/**
 * Runs `read`, turning the first {@link ValidationError} it throws into a problem. The
 * throw is internal control flow only: callers always get a value.
 */
export function readSpec<T>(read: () => T): ReadResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof ValidationError) {
      return { ok: false, problem: { path: err.path, message: err.message } };
    }
    throw err;
  }
}

/** How to describe a value in a message without echoing a huge one. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `"${v.slice(0, 40)}…"` : `"${v}"`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'object':
      return v === null ? 'null' : Array.isArray(v) ? 'a list' : 'an object';
    default:
      return `a ${typeof v}`;
  }
}

/** `v` as a plain object, or a problem at `path`. */
export function fields(v: unknown, path: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ValidationError(path, `must be an object, not ${describe(v)}`);
  }
  return v as Fields;
}

/** An optional object field. */
export function optFields(o: Fields, key: string, path: string): Fields | undefined {
  const v = o[key];
  return v === undefined ? undefined : fields(v, `${path}.${key}`);
}

/** An optional string field, at most `max` characters. */
export function optString(o: Fields, key: string, path: string, max = 65_536): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new ValidationError(`${path}.${key}`, `must be a string, not ${describe(v)}`);
  }
  if (v.length > max) {
    throw new ValidationError(`${path}.${key}`, `is ${v.length} characters long, at most ${max}`);
  }
  return v;
}

/** An optional boolean field. */
export function optBool(o: Fields, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    throw new ValidationError(`${path}.${key}`, `must be true or false, not ${describe(v)}`);
  }
  return v;
}

/** Bounds of a number field. */
export interface NumberBounds {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

/** An optional finite number field within `b`. */
export function optNumber(
  o: Fields,
  key: string,
  path: string,
  b: NumberBounds = {},
): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const at = `${path}.${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ValidationError(at, `must be a number, not ${describe(v)}`);
  }
  if (b.integer && !Number.isInteger(v))
    throw new ValidationError(at, `must be a whole number, not ${v}`);
  if (b.min !== undefined && v < b.min)
    throw new ValidationError(at, `must be at least ${b.min}, not ${v}`);
  if (b.above !== undefined && v <= b.above)
    throw new ValidationError(at, `must be greater than ${b.above}, not ${v}`);
  if (b.max !== undefined && v > b.max)
    throw new ValidationError(at, `must be at most ${b.max}, not ${v}`);
  return v;
}

/** An optional list field of at most `max` items, each read by `item`. */
export function optList<T>(
  o: Fields,
  key: string,
  path: string,
  max: number,
  item: (v: unknown, path: string) => T,
): T[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const at = `${path}.${key}`;
  if (!Array.isArray(v)) throw new ValidationError(at, `must be a list, not ${describe(v)}`);
  if (v.length > max) throw new ValidationError(at, `has ${v.length} items, at most ${max}`);
  return v.map((x, i) => item(x, `${at}[${i}]`));
}

/** A string list item. */
export function stringItem(max = 65_536): (v: unknown, path: string) => string {
  return (v, path) => {
    if (typeof v !== 'string')
      throw new ValidationError(path, `must be a string, not ${describe(v)}`);
    if (v.length > max)
      throw new ValidationError(path, `is ${v.length} characters long, at most ${max}`);
    return v;
  };
}

/** An optional map of strings to strings, at most `max` entries. */
export function optStringMap(
  o: Fields,
  key: string,
  path: string,
  max: number,
): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const m = fields(v, `${path}.${key}`);
  const entries = Object.entries(m);
  if (entries.length > max) {
    throw new ValidationError(`${path}.${key}`, `has ${entries.length} entries, at most ${max}`);
  }
  for (const [k, x] of entries) {
    if (typeof x !== 'string') {
      throw new ValidationError(`${path}.${key}.${k}`, `must be a string, not ${describe(x)}`);
    }
  }
  return m as Record<string, string>;
}

/**
 * An optional resource amount: a number or a Kubernetes quantity (`128Mi`, `500m`)
 * that parses to a finite amount, greater than zero when `positive`.
 */
export function optQuantity(
  o: Fields,
  key: string,
  path: string,
  positive: boolean,
): number | string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const at = `${path}.${key}`;
  if (typeof v !== 'number' && typeof v !== 'string') {
    throw new ValidationError(
      at,
      `must be a number or a quantity such as 128Mi, not ${describe(v)}`,
    );
  }
  if (typeof v === 'string' && v.length > 64) {
    throw new ValidationError(at, `${describe(v)} is not a quantity`);
  }
  const milli = parseQuantity(key, v, at);
  if (!Number.isSafeInteger(milli)) throw new ValidationError(at, `${describe(v)} is too large`);
  if (positive && milli <= 0) {
    throw new ValidationError(at, `must be greater than zero, not ${describe(v)}`);
  }
  return v;
}
