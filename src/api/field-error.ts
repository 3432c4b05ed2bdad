/**
 * One reason an object is invalid, worded as the Kubernetes apiserver words it
 * (apimachinery's `field.Error`), so that `kubectl apply`, `mezzo apply` and the HTTP API
 * print the same line: `spec.resources.cpus: Invalid value: 0.001: <detail>`.
 */

/** apimachinery's error types, by the words they print. */
export type FieldErrorType =
  | 'Required value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Too long'
  | 'Too many'
  | 'Duplicate value';

/** A value that the error line prints; `omit` prints none (as for Too long). */
export type BadValue = { kind: 'value'; value: unknown } | { kind: 'omit' };

/** One invalid field. */
export interface FieldError {
  /** Path of the field, e.g. `spec.resources.cpus` or `spec.env[FOO]`. */
  readonly field: string;
  readonly type: FieldErrorType;
  /** Whether the apiserver stops before CEL rules because of this error. */
  readonly blocking: boolean;
  /** The whole line, e.g. `spec.parents: Invalid value: "string": ...`. */
  readonly message: string;
}

/**
 * A double as Go's `%v` prints it (strconv 'g' with the shortest digits): exponent form
 * when the decimal exponent is below -4 or at least 6, so 1e6 prints `1e+06`.
 */
export function goFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '', e = '0'] = v.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** A JSON value as `field.Error` prints it: numbers bare, strings quoted, the rest as JSON. */
export function printValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

/** Builds an error line the way `field.Error.Error()` does. */
export function fieldError(
  field: string,
  type: FieldErrorType,
  value: BadValue,
  detail: string,
  blocking = false,
): FieldError {
  let body: string = type;
  const printsValue = type !== 'Required value' && type !== 'Forbidden' && type !== 'Too long';
  if (printsValue && value.kind === 'value') body += `: ${printValue(value.value)}`;
  if (detail) body += `: ${detail}`;
  return { field, type, blocking, message: `${field}: ${body}` };
}

/** `Invalid value` with the value printed. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return fieldError(field, 'Invalid value', { kind: 'value', value }, detail);
}

/** A strict-decoding error, which the apiserver answers before any validation. */
export function unknownField(field: string): FieldError {
  return {
    field,
    type: 'Invalid value',
    blocking: true,
    message: `${field}: strict decoding error: unknown field ${JSON.stringify(field)}`,
  };
}
