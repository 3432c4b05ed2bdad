/**
 * {@link Resources}: an immutable bag of resources, the value every allocator verb trades
 * in. Entries are kept sorted by key so that add, subtract and contains are linear
 * merges, and scalar quantities are memoized because the sorters read them on every
 * allocation.
 */
import { ValidationError } from '../shared/errors.js';
import { formatMilli } from './fixed.js';
import { parseQuantity, parseResourceText } from './parse.js';
import {
  entriesFromProto,
  entriesToProto,
  type ResourceProto,
  type ResourceProtoLike,
} from './proto.js';
import type { Quantities } from './quantities.js';
import {
  addEntries,
  entryContains,
  entryEmpty,
  isAllocatableTo,
  makeEntry,
  subtractEntries,
  withValue,
  type Entry,
} from './resource-entry.js';

/** The outcome of reading resources from outside input: the value, or why it is invalid. */
export type ResourcesResult =
  | { readonly ok: true; readonly resources: Resources }
  | { readonly ok: false; readonly error: ValidationError };

/** Runs a parser, turning its ValidationError into a value (anything else is a bug). */
function attempt(parse: () => Resources): ResourcesResult {
  try {
    return { ok: true, resources: parse() };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, error: err };
    throw err;
  }
}

function byKey(a: Entry, b: Entry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Adds up entries with equal keys and drops empty ones; the result is sorted by key. */
function canonical(list: readonly Entry[]): Entry[] {
  const sorted = [...list].sort(byKey);
  const out: Entry[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && last.key === e.key) out[out.length - 1] = addEntries(last, e);
    else out.push(e);
  }
  return out.filter((e) => !entryEmpty(e));
}

/** An immutable set of resources (scalars in fixed point, ranges, sets, reservations). */
export class Resources {
  /** The empty value. */
  static readonly EMPTY = new Resources([]);

  /** Sorted by key, no duplicates, no empty entries. */
  readonly entries: readonly Entry[];
  private quantitiesCache: Quantities | undefined;
  private readonly reserved: boolean;

  private constructor(entries: readonly Entry[]) {
    this.entries = entries;
    this.reserved = entries.some((e) => e.reservations.length > 0);
  }

  /** Builds a value from entries in any order (they are merged and sorted). */
  static fromEntries(entries: readonly Entry[]): Resources {
    return entries.length === 0 ? Resources.EMPTY : new Resources(canonical(entries));
  }

  /**
   * Parses Mesos' text form, e.g. `cpus:2;mem:1024;ports:[31000-32000];disk(eng):10`.
   * @throws ValidationError naming the item and what is wrong with it
   */
  static parse(text: string): Resources {
    return Resources.fromEntries(parseResourceText(text));
  }

  /**
   * Builds unreserved scalars from Kubernetes quantities, e.g. `{cpus: '500m', mem: '4Gi'}`;
   * mem and disk end up in MiB, as Mesos counts them.
   * @throws ValidationError for a malformed quantity
   */
  static fromQuantities(q: Readonly<Record<string, string | number>>): Resources {
    const entries = Object.entries(q).map(([name, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
        throw new ValidationError('', `invalid resource name "${name}"`);
      }
      return makeEntry({ name, kind: 'scalar', milli: parseQuantity(name, v, '') });
    });
    return Resources.fromEntries(entries);
  }

  /** Builds a value from scalar quantities in milli units. */
  static fromMilli(q: Quantities): Resources {
    const entries: Entry[] = [];
    for (const [name, milli] of q) entries.push(makeEntry({ name, kind: 'scalar', milli }));
    return Resources.fromEntries(entries);
  }

  /**
   * Converts the wire form (`mezzo.v1.Resource`, snake_case as generated).
   * @throws ValidationError for entries without a name, of an unknown type, or with a
   * scalar that is NaN, infinite, negative or above MAX_SCALAR
   */
  static fromProto(list: readonly ResourceProtoLike[]): Resources {
    return Resources.fromEntries(entriesFromProto(list));
  }

  /**
   * {@link parse} for outside input: a rejection (a malformed item; a scalar that is NaN,
   * infinite, negative or absurdly large) is a value, not a throw.
   */
  static tryParse(text: string): ResourcesResult {
    return attempt(() => Resources.parse(text));
  }

  /** {@link fromQuantities} for outside input: a rejection is a value, not a throw. */
  static tryFromQuantities(q: Readonly<Record<string, string | number>>): ResourcesResult {
    return attempt(() => Resources.fromQuantities(q));
  }

  /** {@link fromProto} for outside input: a rejection is a value, not a throw. */
  static tryFromProto(list: readonly ResourceProtoLike[]): ResourcesResult {
    return attempt(() => Resources.fromProto(list));
  }

  /** The wire form, one message per entry (assignable to the generated `Resource`). */
  toProto(): ResourceProto[] {
    return entriesToProto(this.entries);
  }

  /** The sum of both values. */
  add(o: Resources): Resources {
    if (o.entries.length === 0) return this;
    if (this.entries.length === 0) return o;
    const out: Entry[] = [];
    const a = this.entries;
    const b = o.entries;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      if (x && (!y || x.key < y.key)) {
        out.push(x);
        i++;
      } else if (y && (!x || y.key < x.key)) {
        out.push(y);
        j++;
      } else if (x && y) {
        out.push(addEntries(x, y));
        i++;
        j++;
      }
    }
    return new Resources(out);
  }

  /**
   * This value less `o`. What `o` has that this value lacks is ignored (scalars stop at
   * zero); callers that need exact accounting check {@link contains} first.
   */
  subtract(o: Resources): Resources {
    if (o.entries.length === 0 || this.entries.length === 0) return this;
    const out: Entry[] = [];
    const b = o.entries;
    let j = 0;
    for (const x of this.entries) {
      while (j < b.length && (b[j]?.key ?? '') < x.key) j++;
      const y = b[j];
      if (y && y.key === x.key) {
        // Taking all of an entry is the common case (a whole agent offered): no new entry.
        if (entryContains(y, x)) continue;
        const d = subtractEntries(x, y);
        if (!entryEmpty(d)) out.push(d);
      } else {
        out.push(x);
      }
    }
    return out.length === 0 ? Resources.EMPTY : new Resources(out);
  }

  /** Whether this value holds all of `o` (same names, reservations and revocability). */
  contains(o: Resources): boolean {
    const a = this.entries;
    let i = 0;
    for (const y of o.entries) {
      while (i < a.length && (a[i]?.key ?? '') < y.key) i++;
      const x = a[i];
      if (!x || x.key !== y.key || !entryContains(x, y)) return false;
    }
    return true;
  }

  /** Whether there is nothing in this value. */
  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Whether any entry is reserved. */
  hasReservations(): boolean {
    return this.reserved;
  }

  /** The total of scalar `name` across reservations, as a decimal (e.g. 1.5 cpus). */
  scalar(name: string): number {
    return (this.quantities().get(name) ?? 0) / 1000;
  }

  /** Scalar totals per name in milli units, ignoring reservations (memoized). */
  quantities(): Quantities {
    if (!this.quantitiesCache) {
      const q = new Map<string, number>();
      for (const e of this.entries) {
        if (e.kind === 'scalar') q.set(e.name, (q.get(e.name) ?? 0) + e.milli);
      }
      this.quantitiesCache = q;
    }
    return this.quantitiesCache;
  }

  /** The same resources with reservations stripped (as if unreserved), merged. */
  flatten(): Resources {
    if (!this.reserved) return this;
    return Resources.fromEntries(
      this.entries.map((e) =>
        makeEntry({
          name: e.name,
          kind: e.kind,
          milli: e.milli,
          ranges: e.ranges,
          items: e.items,
          revocable: e.revocable,
        }),
      ),
    );
  }

  /** The same resources reserved to `role` (a dynamic reservation, as RESERVE makes). */
  reserve(role: string, principal?: string): Resources {
    return Resources.fromEntries(
      this.entries.map((e) =>
        makeEntry({
          name: e.name,
          kind: e.kind,
          milli: e.milli,
          ranges: e.ranges,
          items: e.items,
          revocable: e.revocable,
          reservations: [
            ...e.reservations,
            { type: 'DYNAMIC', role, ...(principal ? { principal } : {}) },
          ],
        }),
      ),
    );
  }

  /** The part reserved to exactly `role`. */
  reservedTo(role: string): Resources {
    return this.filter((e) => e.role === role && e.reservations.length > 0);
  }

  /** The part reserved to any role. */
  reservedAny(): Resources {
    return this.reserved ? this.filter((e) => e.reservations.length > 0) : Resources.EMPTY;
  }

  /** The unreserved part. */
  unreserved(): Resources {
    return this.reserved ? this.filter((e) => e.reservations.length === 0) : this;
  }

  /** What a framework in `role` may be offered: unreserved, or reserved to it or an ancestor. */
  allocatableTo(role: string): Resources {
    return this.reserved ? this.filter((e) => isAllocatableTo(e.role, role)) : this;
  }

  /** The revocable part, or with `false` the non-revocable part. */
  revocable(want = true): Resources {
    return this.filter((e) => e.revocable === want);
  }

  /** The entries that satisfy `pred`. */
  filter(pred: (e: Entry) => boolean): Resources {
    const kept = this.entries.filter(pred);
    if (kept.length === this.entries.length) return this;
    return kept.length === 0 ? Resources.EMPTY : new Resources(kept);
  }

  /**
   * Shrinks unreserved scalars so that each name in `caps` totals at most its cap (milli),
   * as Mesos shrinks an offer to fit a quota limit or the headroom others are owed.
   */
  capUnreserved(caps: Quantities): Resources {
    let changed = false;
    const left = new Map(caps);
    const out: Entry[] = [];
    for (const e of this.entries) {
      const cap = e.kind === 'scalar' && e.reservations.length === 0 ? left.get(e.name) : undefined;
      if (cap === undefined) {
        out.push(e);
        continue;
      }
      const keep = Math.min(e.milli, Math.max(0, cap));
      left.set(e.name, cap - keep);
      if (keep !== e.milli) changed = true;
      if (keep > 0) out.push(withValue(e, { milli: keep }));
    }
    if (!changed) return this;
    return out.length === 0 ? Resources.EMPTY : new Resources(out);
  }

  /**
   * Scalar amounts (milli, per name) drawn from these entries as a framework launching on
   * an offer must name them — with their reservation stacks. Reserved entries are used
   * before unreserved ones and revocable ones last, so that reservations are spent first
   * and revocable resources only when nothing else fits. Undefined when too little.
   */
  pickScalars(want: Quantities): Resources | undefined {
    const rank = (e: Entry) => (e.revocable ? 2 : e.reservations.length > 0 ? 0 : 1);
    const ordered = [...this.entries].sort((a, b) => rank(a) - rank(b));
    const left = new Map(want);
    const out: Entry[] = [];
    for (const e of ordered) {
      const need = e.kind === 'scalar' ? (left.get(e.name) ?? 0) : 0;
      if (need <= 0) continue;
      const take = Math.min(need, e.milli);
      left.set(e.name, need - take);
      out.push(withValue(e, { milli: take }));
    }
    for (const rest of left.values()) if (rest > 0) return undefined;
    return Resources.fromEntries(out);
  }

  /** Mesos' text form, e.g. `cpus:2; mem:1024; ports:[31000-32000]; disk(eng):10`. */
  toString(): string {
    return this.entries
      .map((e) => {
        const role = e.reservations.length > 0 ? `(${e.role})` : '';
        const rev = e.revocable ? '{REV}' : '';
        let value: string;
        if (e.kind === 'scalar') value = formatMilli(e.milli);
        else if (e.kind === 'ranges')
          value = `[${e.ranges.map(([b, x]) => `${b}-${x}`).join(', ')}]`;
        else value = `{${e.items.join(', ')}}`;
        return `${e.name}${role}${rev}:${value}`;
      })
      .join('; ');
  }

  /** Whether both values hold exactly the same resources. */
  equals(o: Resources): boolean {
    return this.contains(o) && o.contains(this);
  }
}
