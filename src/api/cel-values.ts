/**
 * JSON values as CEL sees them under a structural schema, as the apiserver converts
 * them: `integer` fields (and the integer form of int-or-string) are CEL ints (BigInt),
 * `number` fields doubles even when written without a fraction, objects and maps are
 * CEL maps (JS Maps, so that keys such as `__proto__` stay plain keys).
 */
import type { Schema } from './v1alpha1/schema.js';

/** Converts `value` (already valid against `schema`) to a CEL value. */
export function toCel(schema: Schema | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const wantsInt =
      schema?.type === 'integer' ||
      ((schema?.type === undefined || schema['x-kubernetes-int-or-string']) &&
        Number.isInteger(value));
    return wantsInt && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => toCel(schema?.items, v));
  if (typeof value === 'object') {
    const out = new Map<string, unknown>();
    const props = schema?.properties;
    const extra =
      typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = props && Object.hasOwn(props, k) ? props[k] : extra;
      out.set(k, toCel(child, v));
    }
    return out;
  }
  return value;
}
