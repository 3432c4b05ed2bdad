/**
 * One kind of resource inside a {@link Resources} value: a named scalar, range list or
 * set, with its reservation stack and revocable flag. Entries are immutable; the helpers
 * here do the per-kind arithmetic that `Resources` composes.
 */

/** How a reservation was made (Mesos' static `--resources` versus RESERVE operations). */
export type ReservationType = 'STATIC' | 'DYNAMIC';

/** One level of a reservation stack; the last level names the role that owns it. */
export interface Reservation {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An inclusive range `[begin, end]`. */
export type Range = readonly [number, number];

/** The three value kinds Mesos knows. */
export type Kind = 'scalar' | 'ranges' | 'set';

/** One resource of one name, reservation and revocability. */
export interface Entry {
  readonly name: string;
  readonly kind: Kind;
  /** Scalar amount in thousandths (0 for other kinds). */
  readonly milli: number;
  /** Sorted, merged, non-adjacent ranges (empty for other kinds). */
  readonly ranges: readonly Range[];
  /** Sorted unique items (empty for other kinds). */
  readonly items: readonly string[];
  readonly reservations: readonly Reservation[];
  readonly revocable: boolean;
  /** Identity for merging: entries with equal keys add up into one. */
  readonly key: string;
  /** The owning role (last reservation), or `*` when unreserved. */
  readonly role: string;
}

function reservationKey(rs: readonly Reservation[]): string {
  if (rs.length === 0) return '*';
  // Labels are part of a reservation's identity in Mesos: two reservations that differ
  // only in labels are not interchangeable, so they must not merge.
  return rs
    .map((r) => {
      const labels = r.labels
        ? Object.keys(r.labels)
            .sort()
            .map((k) => `${k}=${r.labels?.[k] ?? ''}`)
            .join(',')
        : '';
      return `${r.type[0] ?? ''}:${r.role}:${r.principal ?? ''}:${labels}`;
    })
    .join('>');
}

/** Builds an entry, computing its key and role. */
export function makeEntry(init: {
  name: string;
  kind: Kind;
  milli?: number;
  ranges?: readonly Range[];
  items?: readonly string[];
  reservations?: readonly Reservation[];
  revocable?: boolean;
}): Entry {
  const reservations = init.reservations ?? [];
  const revocable = init.revocable ?? false;
  const last = reservations[reservations.length - 1];
  return {
    name: init.name,
    kind: init.kind,
    milli: init.milli ?? 0,
    ranges: init.ranges ?? [],
    items: init.items ?? [],
    reservations,
    revocable,
    role: last ? last.role : '*',
    key: `${init.name}\u0000${init.kind}\u0000${reservationKey(reservations)}\u0000${revocable ? 'r' : ''}`,
  };
}

/**
 * The same entry with new amounts. Every field is named: in Node 20 a spread of the entry
 * with three fields overridden took 25× as long in a loop (600 ns against 24 ns a call),
 * and every offer, accept, decline and allocation adds or subtracts entries through here
 * (docs/performance.md, "Session 23").
 */
export function withValue(
  e: Entry,
  v: { milli?: number; ranges?: readonly Range[]; items?: readonly string[] },
): Entry {
  return {
    name: e.name,
    kind: e.kind,
    milli: v.milli ?? e.milli,
    ranges: v.ranges ?? e.ranges,
    items: v.items ?? e.items,
    reservations: e.reservations,
    revocable: e.revocable,
    key: e.key,
    role: e.role,
  };
}

/** Whether an entry holds nothing. */
export function entryEmpty(e: Entry): boolean {
  switch (e.kind) {
    case 'scalar':
      return e.milli <= 0;
    case 'ranges':
      return e.ranges.length === 0;
    case 'set':
      return e.items.length === 0;
  }
}

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(input: readonly Range[]): Range[] {
  const sorted = [...input].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out;
}

/** `a \ b` for normalized range lists. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let current: Range[] = [...a];
  for (const [sb, se] of b) {
    const next: Range[] = [];
    for (const [b0, e0] of current) {
      if (se < b0 || sb > e0) {
        next.push([b0, e0]);
        continue;
      }
      if (b0 < sb) next.push([b0, sb - 1]);
      if (e0 > se) next.push([se + 1, e0]);
    }
    current = next;
  }
  return current;
}

/** Whether every value of `b` lies in `a` (both normalized). */
export function rangesContain(a: readonly Range[], b: readonly Range[]): boolean {
  let i = 0;
  for (const [sb, se] of b) {
    while (i < a.length && (a[i]?.[1] ?? 0) < sb) i++;
    const r = a[i];
    if (!r || r[0] > sb || r[1] < se) return false;
  }
  return true;
}

/** Sum of two entries with equal keys. */
export function addEntries(a: Entry, b: Entry): Entry {
  switch (a.kind) {
    case 'scalar':
      return withValue(a, { milli: a.milli + b.milli });
    case 'ranges':
      return withValue(a, { ranges: normalizeRanges([...a.ranges, ...b.ranges]) });
    case 'set':
      return withValue(a, { items: [...new Set([...a.items, ...b.items])].sort() });
  }
}

/** `a - b` for entries with equal keys; scalars stop at zero. */
export function subtractEntries(a: Entry, b: Entry): Entry {
  switch (a.kind) {
    case 'scalar':
      return withValue(a, { milli: Math.max(0, a.milli - b.milli) });
    case 'ranges':
      return withValue(a, { ranges: subtractRanges(a.ranges, b.ranges) });
    case 'set': {
      const drop = new Set(b.items);
      return withValue(a, { items: a.items.filter((i) => !drop.has(i)) });
    }
  }
}

/** Whether `a` holds all of `b` (equal keys). */
export function entryContains(a: Entry, b: Entry): boolean {
  switch (a.kind) {
    case 'scalar':
      return a.milli >= b.milli;
    case 'ranges':
      return rangesContain(a.ranges, b.ranges);
    case 'set': {
      const have = new Set(a.items);
      return b.items.every((i) => have.has(i));
    }
  }
}

/** Whether a resource reserved to `owner` may be used by `role` (itself or a subrole). */
export function isAllocatableTo(owner: string, role: string): boolean {
  return owner === '*' || owner === role || role.startsWith(`${owner}/`);
}
