/**
 * Fixed-point scalars. Every scalar amount in the allocator is an integer number of
 * thousandths ("milli"), as Mesos does with its three-decimal fixed point: sums of
 * thousands of offers never drift the way sums of binary floats do (0.1 + 0.2 !== 0.3).
 */

/** Thousandths per unit. */
export const MILLI = 1000;

/** Converts a decimal amount to milli units, rounding to the nearest thousandth. */
export function toMilli(value: number): number {
  return Math.round(value * MILLI);
}

/** Converts milli units back to a decimal amount. */
export function fromMilli(milli: number): number {
  return milli / MILLI;
}

/** Formats milli units as the shortest decimal text (`1500` → `"1.5"`). */
export function formatMilli(milli: number): string {
  return String(milli / MILLI);
}
