/**
 * The invariants of `x-kubernetes-list-type` lists, as apiextensions-apiserver checks
 * them: a `set` holds no value twice, a `map` no two items with the same keys.
 */
import { isDeepStrictEqual } from 'node:util';
import { fieldError, type FieldError } from './field-error.js';
import type { Schema } from './v1alpha1/schema.js';

function duplicates(
  items: readonly unknown[],
  key: (v: unknown) => unknown,
  path: string,
  errs: FieldError[],
): void {
  const seen: unknown[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.some((s) => isDeepStrictEqual(s, k))) {
      errs.push(fieldError(`${path}[${i}]`, 'Duplicate value', { kind: 'value', value: k }, ''));
    } else seen.push(k);
  });
}

/** Duplicate items of set- and map-type lists anywhere under `schema`. */
export function listTypeErrors(
  schema: Schema,
  value: unknown,
  path = '',
  errs: FieldError[] = [],
): FieldError[] {
  if (Array.isArray(value)) {
    const keys = schema['x-kubernetes-list-map-keys'];
    if (schema['x-kubernetes-list-type'] === 'set') duplicates(value, (v) => v, path, errs);
    if (schema['x-kubernetes-list-type'] === 'map' && keys) {
      const keyOf = (v: unknown) =>
        Object.fromEntries(keys.map((k) => [k, (v as Record<string, unknown> | null)?.[k]]));
      duplicates(value, keyOf, path, errs);
    }
    const items = schema.items;
    if (items) value.forEach((v, i) => listTypeErrors(items, v, `${path}[${i}]`, errs));
    return errs;
  }
  if (typeof value !== 'object' || value === null) return errs;
  const o = value as Record<string, unknown>;
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    if (Object.hasOwn(o, k)) listTypeErrors(s, o[k], path ? `${path}.${k}` : k, errs);
  }
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') {
    for (const [k, v] of Object.entries(o)) listTypeErrors(extra, v, `${path}.${k}`, errs);
  }
  return errs;
}
