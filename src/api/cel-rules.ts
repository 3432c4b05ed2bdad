/**
 * The `x-kubernetes-validations` pass: every rule of every schema node runs on each
 * value at that node, as apiextensions-apiserver runs them. A transition rule (one that
 * reads `oldSelf`) runs only on an update where the node has an old value to compare
 * with; other rules are ratcheted (skipped) where the value is unchanged from the old
 * object. A failed rule is reported at the node (or its `fieldPath`) with its message.
 */
import { isDeepStrictEqual } from 'node:util';
import { evaluateRule, usesOldSelf } from './cel.js';
import { toCel } from './cel-values.js';
import { fieldError, type FieldError } from './field-error.js';
import type { CelRule, Schema } from './v1alpha1/schema.js';

/** The old value at a node, when the node can be correlated with the old object. */
type Old = { value: unknown } | undefined;

function child(old: Old, key: string): Old {
  if (!old || typeof old.value !== 'object' || old.value === null || Array.isArray(old.value)) {
    return undefined;
  }
  const o = old.value as Record<string, unknown>;
  return Object.hasOwn(o, key) ? { value: o[key] } : undefined;
}

/** Old list item with the same map keys (`x-kubernetes-list-type: map`), else none. */
function listItem(schema: Schema, old: Old, item: unknown): Old {
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] !== 'map' || !keys || !Array.isArray(old?.value)) {
    return undefined;
  }
  const key = (v: unknown) =>
    keys.map((k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : v));
  const match = (old.value as unknown[]).find((o) => isDeepStrictEqual(key(o), key(item)));
  return match === undefined ? undefined : { value: match };
}

function ruleError(path: string, schema: Schema, rule: CelRule, detail: string): FieldError {
  const field = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
  const value = { kind: 'value' as const, value: schema.type ?? '' };
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return fieldError(field, 'Forbidden', { kind: 'omit' }, detail);
    case 'FieldValueRequired':
      return fieldError(field, 'Required value', { kind: 'omit' }, detail);
    case 'FieldValueDuplicate':
      return fieldError(field, 'Duplicate value', value, '');
    default:
      return fieldError(field, 'Invalid value', value, detail);
  }
}

function runRules(
  schema: Schema,
  value: unknown,
  old: Old,
  path: string,
  errs: FieldError[],
): void {
  const rules = schema['x-kubernetes-validations'] ?? [];
  if (rules.length === 0) return;
  const unchanged = old !== undefined && isDeepStrictEqual(old.value, value);
  const self = toCel(schema, value);
  const oldSelf = old ? toCel(schema, old.value) : undefined;
  for (const rule of rules) {
    const transition = usesOldSelf(rule.rule);
    if (transition ? old === undefined : unchanged) continue;
    const r = evaluateRule(rule.rule, self, oldSelf);
    if (!r.ok) {
      errs.push(
        fieldError(
          path,
          'Invalid value',
          { kind: 'value', value: schema.type ?? '' },
          `${r.error} evaluating rule: ${rule.message}`,
        ),
      );
    } else if (!r.passed) errs.push(ruleError(path, schema, rule, rule.message));
  }
}

/** Runs every CEL rule under `schema` on `value` (the old value on updates). */
export function celErrors(
  schema: Schema,
  value: unknown,
  old: Old,
  path = '',
  errs: FieldError[] = [],
): FieldError[] {
  if (value === undefined || value === null) return errs;
  runRules(schema, value, old, path, errs);
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items) {
      value.forEach((v, i) => celErrors(items, v, listItem(schema, old, v), `${path}[${i}]`, errs));
    }
    return errs;
  }
  if (typeof value !== 'object') return errs;
  const o = value as Record<string, unknown>;
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    if (Object.hasOwn(o, k)) celErrors(s, o[k], child(old, k), path ? `${path}.${k}` : k, errs);
  }
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') {
    for (const [k, v] of Object.entries(o))
      celErrors(extra, v, child(old, k), `${path}[${k}]`, errs);
  }
  return errs;
}
