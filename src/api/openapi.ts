/**
 * The OpenAPI v3 part of a CRD's validation, run by ajv on the very schema objects the
 * CRDs are generated from. The structural schema is translated once into the JSON Schema
 * ajv reads (Kubernetes' `exclusiveMinimum: true` form, unknown fields rejected as
 * kubectl's strict field validation does, `x-kubernetes-*` left to the CEL pass), and
 * ajv's findings are worded as kube-openapi and apiextensions-apiserver word them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldError, goFloat, invalid, unknownField, type FieldError } from './field-error.js';
import { isDateTime } from './date-time.js';
import type { Schema } from './v1alpha1/schema.js';

type Json = Record<string, unknown>;

/** The JSON Schema (draft 7) ajv checks for one structural schema node. */
export function toJsonSchema(s: Schema): Json {
  const out: Json = {};
  for (const key of [
    'type',
    'required',
    'enum',
    'default',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
    'pattern',
    'format',
  ] as const) {
    if (s[key] !== undefined) out[key] = s[key];
  }
  if (s.exclusiveMinimum === true && s.minimum !== undefined) {
    out['exclusiveMinimum'] = s.minimum;
    delete out['minimum'];
  }
  if (s.nullable === true && s.type) out['type'] = [s.type, 'null'];
  if (s.anyOf) out['anyOf'] = s.anyOf.map(toJsonSchema);
  if (s.items) out['items'] = toJsonSchema(s.items);
  if (s.properties) {
    out['properties'] = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v)]),
    );
  }
  if (typeof s.additionalProperties === 'object') {
    out['additionalProperties'] = toJsonSchema(s.additionalProperties);
  } else if (s.properties && !s['x-kubernetes-preserve-unknown-fields']) {
    // Strict decoding: a field the schema does not name is an error, not pruned.
    out['additionalProperties'] = false;
  }
  return out;
}

const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strict: false,
  formats: { 'date-time': isDateTime },
});

/** Compiles a structural schema; validate functions mutate their input with defaults. */
export function compileSchema(root: Schema): ValidateFunction {
  return ajv.compile(toJsonSchema(root));
}

/** JSON type name of a value as kube-openapi reports it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** An instance path (JSON pointer) as a Kubernetes field path: `spec.args[0]`. */
function fieldPath(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path += `[${seg}]`;
      node = node[Number(seg)];
    } else {
      path += path ? `.${seg}` : seg;
      node =
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[seg]
          : undefined;
    }
  }
  return path;
}

/**
 * Whether a bound check fails under kube-openapi's rules: an integer value is compared
 * with the bound truncated to an integer (Go's `int64(min)`), so `0` passes a minimum of
 * 0.01 on the apiserver. Returns the bound as the message prints it, or undefined.
 */
function boundFails(keyword: string, data: number, limit: number): string | undefined {
  const asInt = Number.isInteger(data);
  const bound = asInt ? Math.trunc(limit) : limit;
  const fails =
    keyword === 'minimum'
      ? data < bound
      : keyword === 'exclusiveMinimum'
        ? data <= bound
        : keyword === 'maximum'
          ? data > bound
          : data >= bound;
  if (!fails) return undefined;
  return asInt ? String(bound) : goFloat(bound);
}

const BOUND_WORDS: Readonly<Record<string, string>> = {
  minimum: 'greater than or equal to',
  exclusiveMinimum: 'greater than',
  maximum: 'less than or equal to',
  exclusiveMaximum: 'less than',
};

function translate(e: ErrorObject, root: unknown): FieldError[] {
  const data: unknown = e.data;
  const path = fieldPath(e.instancePath, root);
  const where = `${path} in body`;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      return [unknownField(path ? `${path}.${name}` : name)];
    }
    case 'type': {
      const actual = jsonType(data);
      const expected = Array.isArray(params['type'])
        ? (params['type'] as string[]).join(',')
        : String(params['type']);
      return [
        fieldError(
          path,
          'Invalid value',
          { kind: 'value', value: actual },
          `${where} must be of type ${expected}: "${actual}"`,
          true,
        ),
      ];
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return [
        fieldError(
          path ? `${path}.${missing}` : missing,
          'Required value',
          { kind: 'omit' },
          '',
          true,
        ),
      ];
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) =>
        JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)),
      );
      return [
        fieldError(
          path,
          'Unsupported value',
          { kind: 'value', value: data },
          `supported values: ${allowed.join(', ')}`,
          true,
        ),
      ];
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const bound = boundFails(e.keyword, data as number, params['limit'] as number);
      if (bound === undefined) return [];
      return [invalid(path, data, `${where} should be ${BOUND_WORDS[e.keyword] ?? ''} ${bound}`)];
    }
    case 'minLength':
      return [
        invalid(path, data, `${where} should be at least ${String(params['limit'])} chars long`),
      ];
    case 'maxLength':
      return [
        fieldError(
          path,
          'Too long',
          { kind: 'omit' },
          `may not be more than ${String(params['limit'])} bytes`,
          true,
        ),
      ];
    case 'pattern':
      return [invalid(path, data, `${where} should match '${String(params['pattern'])}'`)];
    case 'minItems':
      return [
        invalid(
          path,
          Array.isArray(data) ? data.length : 0,
          `${where} should have at least ${String(params['limit'])} items`,
        ),
      ];
    case 'minProperties':
      return [
        invalid(
          path,
          Object.keys(data as object).length,
          `${where} should have at least ${String(params['limit'])} properties`,
        ),
      ];
    case 'maxItems':
    case 'maxProperties': {
      const size = Array.isArray(data) ? data.length : Object.keys(data as object).length;
      const limit = Number(params['limit']);
      return [
        fieldError(
          path,
          'Too many',
          { kind: 'value', value: size },
          `must have at most ${limit} ${limit === 1 ? 'item' : 'items'}`,
          true,
        ),
      ];
    }
    case 'anyOf': {
      // The int-or-string pair: kube-openapi reports the type error against both types,
      // the composite failure and the type error of the first alternative.
      const first = (e.parentSchema as { anyOf?: { type?: string }[] } | undefined)?.anyOf?.[0];
      const actual = jsonType(data);
      const all = (e.parentSchema as { anyOf?: { type?: string }[] } | undefined)?.anyOf ?? [];
      return [
        fieldError(
          path,
          'Invalid value',
          { kind: 'value', value: actual },
          `${where} must be of type ${all.map((s) => s.type).join(',')}: "${actual}"`,
          true,
        ),
        invalid('<nil>', '', `"${path}" must validate at least one schema (anyOf)`),
        fieldError(
          path,
          'Invalid value',
          { kind: 'value', value: actual },
          `${where} must be of type ${first?.type ?? 'integer'}: "${actual}"`,
          true,
        ),
      ];
    }
    case 'format':
      return [
        fieldError(
          path,
          'Invalid value',
          { kind: 'value', value: data },
          `${where} must be of type ${String(params['format'])}: ${JSON.stringify(data)}`,
          true,
        ),
      ];
    default:
      return [invalid(path, data, e.message ?? e.keyword)];
  }
}

/** The apiserver's words for ajv's errors about `root`; alternatives of anyOf are folded. */
export function schemaErrors(errors: readonly ErrorObject[], root: unknown): FieldError[] {
  return errors.filter((e) => !e.schemaPath.includes('/anyOf/')).flatMap((e) => translate(e, root));
}
