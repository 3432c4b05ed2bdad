/**
 * Scalar quantities: resource name → amount in milli units, reservations ignored. This is
 * what the sorters and the quota accounting need, and it is far cheaper to add up than
 * full {@link Resources} values.
 */

/** Name → milli units. */
export type Quantities = ReadonlyMap<string, number>;

/** Adds `q` into `into`, scaled by `sign` (+1 adds, -1 subtracts); zero entries are removed. */
export function addInto(into: Map<string, number>, q: Quantities, sign = 1): void {
  for (const [name, v] of q) {
    const next = (into.get(name) ?? 0) + sign * v;
    if (next === 0) into.delete(name);
    else into.set(name, next);
  }
}

/** `a - b`, keeping only positive results. */
export function positiveDifference(a: Quantities, b: Quantities): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, v] of a) {
    const d = v - (b.get(name) ?? 0);
    if (d > 0) out.set(name, d);
  }
  return out;
}

/** Whether `a` has at least every amount in `b`. */
export function quantitiesContain(a: Quantities, b: Quantities): boolean {
  for (const [name, v] of b) if ((a.get(name) ?? 0) < v) return false;
  return true;
}

/** A plain object with decimal amounts, for JSON and tests. */
export function quantitiesToObject(q: Quantities): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of [...q].sort(([a], [b]) => (a < b ? -1 : 1))) out[name] = v / 1000;
  return out;
}
