/**
 * Small builders for OpenAPI v3 structural schemas, so the CRD definitions read like the
 * API they describe. Every builder takes the field's description: `kubectl explain` and
 * the CRD reference in docs/ are generated from it.
 */

/** A structural-schema node (the subset of OpenAPI v3 that CRDs accept). */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: CelRule[];
  anyOf?: Schema[];
}

/** A CEL validation rule with the message `kubectl apply` shows when it fails. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/**
 * Kubernetes quantity text: `2`, `500m`, `1.5`, `128Mi`, `4Gi`, `1e3`. Stricter than
 * the apiserver's parser where that one is surprising: digits on both sides of a point,
 * no sign but `+`, and an exponent of at most two digits (`1e999999999` parses, and
 * comparing it would expand a billion digits).
 */
export const QUANTITY_PATTERN =
  '^[+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,2}|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';

/** An object with the given properties. */
export function obj(
  description: string,
  properties: Record<string, Schema>,
  extra: Partial<Schema> = {},
): Schema {
  return { type: 'object', description, properties, ...extra };
}

/** A string. */
export function str(description: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'string', description, ...extra };
}

/** A string from a fixed set. */
export function oneOf(description: string, values: string[], extra: Partial<Schema> = {}): Schema {
  return { type: 'string', description, enum: values, ...extra };
}

/** An integer. */
export function int(description: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'integer', description, ...extra };
}

/** A number. */
export function num(description: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'number', description, ...extra };
}

/** A boolean. */
export function bool(description: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'boolean', description, ...extra };
}

/** A list. */
export function list(description: string, items: Schema, extra: Partial<Schema> = {}): Schema {
  return { type: 'array', description, items, ...extra };
}

/** A map from string keys to values of one schema. */
export function map(description: string, values: Schema, extra: Partial<Schema> = {}): Schema {
  return { type: 'object', description, additionalProperties: values, ...extra };
}

/**
 * A size: a Kubernetes quantity string (`128Mi`, `4Gi`) or a whole number of MiB, the
 * Mesos unit, as everywhere in Mezzo. (Structural schemas allow "integer or string" but
 * not "number or string", so core counts are plain numbers elsewhere.)
 */
export function quantity(description: string, extra: Partial<Schema> = {}): Schema {
  return {
    description: `${description} A Kubernetes quantity such as 128Mi or 4Gi, or a whole number of MiB.`,
    'x-kubernetes-int-or-string': true,
    // The exact anyOf pair the apiserver accepts for int-or-string; the pattern applies to
    // the string form.
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    maxLength: 64,
    ...extra,
  };
}

/** CEL: a size field (int MiB or quantity string) as a CEL quantity. */
export function celSize(expr: string): string {
  return `(type(${expr}) == int ? quantity(string(${expr}) + 'Mi') : quantity(string(${expr})))`;
}

/** CEL: whether a size field can be read as a quantity (else its pattern reports it). */
export function celIsSize(expr: string): string {
  return `(type(${expr}) == int || isQuantity(string(${expr})))`;
}

/** An RFC 3339 timestamp. */
export function time(description: string): Schema {
  return { type: 'string', format: 'date-time', description };
}

/** Standard Kubernetes conditions (metav1.Condition), keyed by type. */
export function conditions(): Schema {
  return list(
    "Observations of the object's state in the Kubernetes style (Ready, Scheduled, ...).",
    obj(
      'One condition.',
      {
        type: str('Kind of condition, e.g. Ready.', { maxLength: 316 }),
        status: oneOf('Whether the condition holds.', ['True', 'False', 'Unknown']),
        observedGeneration: int('metadata.generation the condition was set from.', { minimum: 0 }),
        lastTransitionTime: time('When status last changed.'),
        reason: str('CamelCase reason for the last transition.', { maxLength: 1024 }),
        message: str('Human-readable detail.', { maxLength: 32768 }),
      },
      { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
    ),
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  );
}
