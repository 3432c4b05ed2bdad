/**
 * Fixed-point scalars. Every scalar amount in the allocator is an integer number of
 * thousandths ("milli"), as Mesos does with its three-decimal fixed point: sums of
 * thousands of offers never drift the way sums of binary floats do (0.1 + 0.2 !== 0.3).
 */

/** Thousandths per unit. */
export const MILLI = 1000;

/**
 * The largest scalar accepted from outside input, in its own unit (cores, MiB, GPUs):
 * 10^10 is ten billion cores or 9.3 PiB of memory or disk, so anything above it is a
 * typo or an attack, not a machine. The bound keeps amounts exact: 10^10 units are 10^13
 * milli, and 900 such values still sum below 2^53 (9.007 × 10^15), the largest integer
 * a double holds exactly.
 */
export const MAX_SCALAR = 1e10;

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

/**
 * Why `value` is not a scalar amount Mezzo accepts from outside (NaN, infinite, negative
 * or above {@link MAX_SCALAR}), as the end of a sentence such as "cpus: -1 is negative";
 * undefined when it is acceptable.
 */
export function scalarProblem(value: number): string | undefined {
  if (Number.isNaN(value)) return 'is not a number';
  if (!Number.isFinite(value)) return 'is not finite';
  if (value < 0) return 'is negative';
  if (value > MAX_SCALAR) return `is more than ${String(MAX_SCALAR)}, the largest amount accepted`;
  return undefined;
}
