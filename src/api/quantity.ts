/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `1e3`) with the apiserver's semantics,
 * for the CEL `quantity()` library the CRDs' rules use. A port of apimachinery's
 * `resource.ParseQuantity`: the same accepted text, exact decimal values (a BigInt and a
 * power of ten), non-zero values rounded away from zero to the nanounit, binary-suffixed
 * values capped at 2^63-1. Comparisons never expand a huge exponent into digits.
 */

/** Why a text is not a quantity, in apimachinery's words. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_ERROR = "unable to parse quantity's suffix";
const NUMERIC_ERROR = 'unable to parse numeric part of quantity';

/** A text that is not a Kubernetes quantity. */
export class QuantityParseError extends Error {
  constructor(
    readonly text: string,
    why: string,
  ) {
    super(why);
    this.name = 'QuantityParseError';
  }
}

/** An exact quantity: `unscaled × 10^-scale`. */
export class Quantity {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  /** -1, 0 or 1. */
  sign(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  compareTo(other: Quantity): number {
    const sa = this.sign();
    const sb = other.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    // Same sign: the order of magnitude decides unless it is equal, and then the scales
    // differ by at most the digit counts, so aligning them stays cheap.
    const ma = magnitude(this);
    const mb = magnitude(other);
    if (ma !== mb) return (ma < mb ? -1 : 1) * sa;
    const [a, b] = align(this, other);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  /** `this + other`. */
  add(other: Quantity): Quantity {
    const [a, b] = align(this, other);
    return new Quantity(a + b, Math.max(this.scale, other.scale));
  }

  /** `this - other`. */
  sub(other: Quantity): Quantity {
    return this.add(new Quantity(-other.unscaled, other.scale));
  }

  /** The value as an int64, or undefined when it is fractional or out of range. */
  asInteger(): bigint | undefined {
    if (this.scale > 0) {
      const div = 10n ** BigInt(this.scale);
      if (this.unscaled % div !== 0n) return undefined;
      return inInt64(this.unscaled / div);
    }
    if (this.unscaled === 0n) return 0n;
    if (-this.scale > 19) return undefined;
    return inInt64(this.unscaled * 10n ** BigInt(-this.scale));
  }

  /** The nearest double (±Infinity beyond its range). */
  asApproximateFloat(): number {
    return Number(`${this.unscaled}e${-this.scale}`);
  }

  /** Decimal text of the exact value, e.g. `0.5` or `1048576`. */
  toString(): string {
    const neg = this.unscaled < 0n;
    const digits = (neg ? -this.unscaled : this.unscaled).toString();
    let out: string;
    if (this.scale <= 0) out = digits + (digits === '0' ? '' : '0'.repeat(-this.scale));
    else {
      const padded = digits.padStart(this.scale + 1, '0');
      const cut = padded.length - this.scale;
      out = `${padded.slice(0, cut)}.${padded.slice(cut)}`.replace(/\.?0+$/, '');
    }
    return neg ? `-${out}` : out;
  }
}

const INT64_MAX = 2n ** 63n - 1n;

function inInt64(v: bigint): bigint | undefined {
  return v > INT64_MAX || v < -INT64_MAX - 1n ? undefined : v;
}

/** Digits before the decimal point of |q| (may be ≤ 0 for values below 1). */
function magnitude(q: Quantity): number {
  const u = q.unscaled < 0n ? -q.unscaled : q.unscaled;
  return u.toString().length - q.scale;
}

function align(a: Quantity, b: Quantity): [bigint, bigint] {
  const s = Math.max(a.scale, b.scale);
  if (s - Math.min(a.scale, b.scale) > 4096) {
    throw new RangeError('quantities too far apart in scale to combine exactly');
  }
  return [a.unscaled * 10n ** BigInt(s - a.scale), b.unscaled * 10n ** BigInt(s - b.scale)];
}

const DECIMAL: Readonly<Record<string, number>> = {
  '': 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT32_MAX = 2 ** 31 - 1;

/** base-10 exponent or base-2 exponent of a suffix, as apimachinery's suffixer reads it. */
function interpret(suffix: string): { base: 2 | 10; exponent: number } | undefined {
  if (Object.hasOwn(DECIMAL, suffix)) return { base: 10, exponent: DECIMAL[suffix] ?? 0 };
  if (Object.hasOwn(BINARY, suffix)) return { base: 2, exponent: BINARY[suffix] ?? 0 };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // strconv.ParseInt(s[1:], 10, 32): optional sign, decimal digits, int32 range.
    const m = /^[+-]?[0-9]+$/.exec(suffix.slice(1));
    if (!m) return undefined;
    const n = Number(suffix.slice(1));
    if (n > INT32_MAX || n < -INT32_MAX - 1) return undefined;
    return { base: 10, exponent: n };
  }
  return undefined;
}

const SUFFIX_CHARS = 'eEinumkKMGTP';

/** Splits a quantity text as apimachinery's parseQuantityString does. */
function split(str: string): { negative: boolean; value: string; suffix: string } {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, value: '0', suffix: '' };
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end && str[pos] === '.') {
    pos++;
    while (pos < end && isDigit(str[pos])) pos++;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos] ?? '')) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityParseError(str, QUANTITY_FORMAT_ERROR);
  return { negative, value, suffix: str.slice(suffixStart) };
}

/** The decimal number in `value` (sign, digits, optional point) as unscaled and scale. */
function decimal(value: string, str: string): { unscaled: bigint; scale: number } {
  const m = /^[+-]?([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  const whole = m?.[1] ?? '';
  const frac = m?.[2] ?? '';
  if (!m || whole + frac === '') {
    // "." alone: apimachinery's fast path reads it as zero.
    if (m) return { unscaled: 0n, scale: 0 };
    throw new QuantityParseError(str, NUMERIC_ERROR);
  }
  return { unscaled: BigInt(whole + frac), scale: frac.length };
}

/** Rounds a non-zero value away from zero to 9 decimals, as apimachinery does. */
function roundToNano(unscaled: bigint, scale: number): Quantity {
  if (scale <= 9 || unscaled === 0n) return new Quantity(unscaled, scale);
  const div = 10n ** BigInt(scale - 9);
  const q = unscaled / div;
  const rem = unscaled % div;
  const up = rem === 0n ? q : unscaled < 0n ? q - 1n : q + 1n;
  return new Quantity(up, 9);
}

/** Parses a Kubernetes quantity; throws {@link QuantityParseError} when it is not one. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityParseError(str, QUANTITY_FORMAT_ERROR);
  if (str === '0') return new Quantity(0n, 0);
  const { negative, value, suffix } = split(str);
  const unit = interpret(suffix);
  if (!unit) throw new QuantityParseError(str, SUFFIX_ERROR);
  const { unscaled, scale } = decimal(value, str);
  const signed = negative ? -unscaled : unscaled;
  if (unit.base === 10) return roundToNano(signed, scale - unit.exponent);
  const rounded = roundToNano(signed * 2n ** BigInt(unit.exponent), scale);
  // Binary quantities are capped at the int64 range, as apimachinery does.
  const cap = new Quantity(negative ? -INT64_MAX : INT64_MAX, 0);
  return (negative ? rounded.compareTo(cap) < 0 : rounded.compareTo(cap) > 0) ? cap : rounded;
}

/** Whether `str` parses as a quantity. */
export function isQuantity(str: string): boolean {
  try {
    parseQuantity(str);
    return true;
  } catch (err) {
    if (err instanceof QuantityParseError) return false;
    throw err;
  }
}
