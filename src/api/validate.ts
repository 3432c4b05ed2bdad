/**
 * The one validation of a Mezzo object, run by the embedded store's apply as the
 * apiserver runs it for the CRDs: strict decoding (unknown fields), ObjectMeta rules,
 * structural defaults, the OpenAPI schema, then the CEL rules unless a blocking error
 * came first. The schemas and rules are the CRDs' own (src/api/v1alpha1), never a copy;
 * the messages are the apiserver's, so every client prints the same lines.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { celErrors } from './cel-rules.js';
import { fieldError, type FieldError } from './field-error.js';
import { listTypeErrors } from './list-types.js';
import { validateMetadata } from './metadata.js';
import { compileSchema, schemaErrors } from './openapi.js';
import { GROUP, KINDS, VERSION, toCrd, type KindDefinition } from './v1alpha1/index.js';
import type { Schema } from './v1alpha1/schema.js';
import type { Kind, ObjectMeta, StoredObject } from '../store/types.js';

export type { FieldError } from './field-error.js';

/** The apiVersion of every Mezzo object. */
export const MEZZO_API_VERSION = `${GROUP}/${VERSION}`;

/** A valid object (defaults applied, status dropped) or the reasons it is not. */
export type Validation = { ok: true; object: StoredObject } | { ok: false; errors: FieldError[] };

interface Compiled {
  def: KindDefinition;
  root: Schema;
  validate: ValidateFunction;
  /** The status schema: only its unknown fields matter here (strict decoding). */
  status?: ValidateFunction;
}

const compiled = new Map<string, Compiled>();

function kindSchema(kind: string): Compiled | undefined {
  const hit = compiled.get(kind);
  if (hit) return hit;
  const def = KINDS.find((k) => k.kind === kind);
  const version = def ? toCrd(def).spec.versions[0] : undefined;
  if (!def || !version) return undefined;
  // Status is dropped on create and kept from the stored object on update (the status
  // subresource), so only the rest of the object is validated here.
  const { status, ...properties } = version.schema.openAPIV3Schema.properties ?? {};
  const root: Schema = { ...version.schema.openAPIV3Schema, properties };
  const c = {
    def,
    root,
    validate: compileSchema(root),
    ...(status ? { status: compileSchema(status) } : {}),
  };
  compiled.set(kind, c);
  return c;
}

/** Whether `kind` is one of Mezzo's kinds. */
export function isKnownKind(kind: string): boolean {
  return KINDS.some((k) => k.kind === kind);
}

/** Whether the kind is cluster-scoped (Role, Agent). */
export function isClusterScoped(kind: string): boolean {
  return KINDS.find((k) => k.kind === kind)?.scope === 'Cluster';
}

/**
 * Whether the value at an instance path is unchanged from the old object along a chain
 * the apiserver can correlate (object fields, map keys, map-type list items): errors
 * there are ratcheted, so an object stored under older rules can still be updated.
 */
function unchanged(pointer: string, schema: Schema, now: unknown, old: unknown): boolean {
  let s: Schema | undefined = schema;
  let a: unknown = now;
  let b: unknown = old;
  const segs = pointer === '' ? [] : pointer.split('/').slice(1);
  for (const raw of segs) {
    if (isDeepStrictEqual(a, b)) return true;
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(a)) {
      const keys = s?.['x-kubernetes-list-map-keys'];
      if (!Array.isArray(b) || s?.['x-kubernetes-list-type'] !== 'map' || !keys) return false;
      const item: unknown = a[Number(seg)];
      const key = (v: unknown) => keys.map((k) => (v as Record<string, unknown> | null)?.[k]);
      b = b.find((o) => isDeepStrictEqual(key(o), key(item)));
      a = item;
      s = s.items;
    } else {
      if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
      if (!Object.hasOwn(b, seg)) return false;
      a = (a as Record<string, unknown>)[seg];
      b = (b as Record<string, unknown>)[seg];
      const props: Record<string, Schema> | undefined = s?.properties;
      const extra = s?.additionalProperties;
      s =
        props && Object.hasOwn(props, seg)
          ? props[seg]
          : typeof extra === 'object'
            ? extra
            : undefined;
    }
  }
  return isDeepStrictEqual(a, b);
}

const NOT_CHECKED = fieldError(
  '<nil>',
  'Invalid value',
  { kind: 'value', value: null },
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
);

function shapeErrors(raw: unknown): FieldError[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const actual = raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw;
    return [
      fieldError(
        '<root>',
        'Invalid value',
        { kind: 'value', value: actual },
        'must be an object with apiVersion, kind, metadata and spec',
        true,
      ),
    ];
  }
  const o = raw as Record<string, unknown>;
  const errs: FieldError[] = [];
  if (o['apiVersion'] !== MEZZO_API_VERSION) {
    errs.push(
      fieldError(
        'apiVersion',
        'Unsupported value',
        { kind: 'value', value: o['apiVersion'] ?? '' },
        `supported values: "${MEZZO_API_VERSION}"`,
        true,
      ),
    );
  }
  if (typeof o['kind'] !== 'string' || !kindSchema(o['kind'])) {
    const known = KINDS.map((k) => `"${k.kind}"`).join(', ');
    errs.push(
      fieldError(
        'kind',
        'Unsupported value',
        { kind: 'value', value: o['kind'] ?? '' },
        `supported values: ${known}`,
        true,
      ),
    );
  }
  return errs;
}

/**
 * Unknown fields in a status sent with the object: the apiserver's strict decoding
 * refuses them before it drops the status (the status subresource is written apart).
 */
function statusUnknownFields(c: Compiled, status: unknown): FieldError[] {
  if (status === undefined || !c.status) return [];
  const copy: unknown = structuredClone(status);
  if (c.status(copy)) return [];
  const unknown = (c.status.errors ?? [])
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => ({ ...e, instancePath: `/status${e.instancePath}` }));
  return schemaErrors(unknown, { status: copy });
}

/** A copy of a stored object with the schema's defaults applied and no status. */
function defaulted(c: Compiled, obj: StoredObject): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(obj) as unknown as Record<string, unknown>;
  delete copy['status'];
  c.validate(copy);
  return copy;
}

/** How an object is checked. */
export interface ValidateOptions {
  /**
   * Refuse unknown fields, as the apiserver does for kubectl (`--validate=strict`, its
   * default). Off for programs' writes, which the apiserver's default field validation
   * lets through (it prunes the fields with a warning). Default: on.
   */
  strict?: boolean;
}

/**
 * Validates an object for a create (no `old`) or an update of `old`. The result's
 * object has the schema's defaults applied, no status, and only the metadata fields a
 * client may set (name, namespace, labels, annotations, finalizers).
 */
export function validateObject(
  raw: unknown,
  old?: StoredObject,
  { strict: strictFields = true }: ValidateOptions = {},
): Validation {
  const shape = shapeErrors(raw);
  if (shape.length > 0) return { ok: false, errors: shape };
  const o = raw as Record<string, unknown>;
  const c = kindSchema(String(o['kind']));
  if (!c) return { ok: false, errors: shape };
  const meta = validateMetadata(o['metadata'], c.def.scope === 'Namespaced', strictFields);
  const m = (o['metadata'] ?? {}) as Record<string, unknown>;
  const metadata: ObjectMeta = { name: typeof m['name'] === 'string' ? m['name'] : '' };
  for (const k of ['namespace', 'labels', 'annotations', 'finalizers'] as const) {
    if (m[k] !== undefined) Object.assign(metadata, { [k]: structuredClone(m[k]) });
  }
  const candidate: Record<string, unknown> = { ...structuredClone(o), metadata };
  delete candidate['status'];
  const valid = c.validate(candidate);
  const ajvErrors: readonly ErrorObject[] = (valid ? [] : (c.validate.errors ?? [])).filter(
    (e) => strictFields || e.keyword !== 'additionalProperties',
  );
  const strict = [
    ...meta.filter((e) => e.message.includes('strict decoding error')),
    ...schemaErrors(
      ajvErrors.filter((e) => e.keyword === 'additionalProperties'),
      candidate,
    ),
    ...(strictFields ? statusUnknownFields(c, o['status']) : []),
  ];
  if (strict.length > 0) return { ok: false, errors: strict };
  // The old object as the apiserver reads it back: defaulted, status apart, and with the
  // new metadata (ObjectMeta is not part of the comparison).
  const oldView = old ? defaulted(c, { ...old, metadata }) : undefined;
  const kept = ajvErrors.filter(
    (e) => !oldView || !unchanged(e.instancePath, c.root, candidate, oldView),
  );
  const errors = [...meta, ...schemaErrors(kept, candidate), ...listTypeErrors(c.root, candidate)];
  if (errors.some((e) => e.blocking)) errors.push(NOT_CHECKED);
  else errors.push(...celErrors(c.root, candidate, oldView ? { value: oldView } : undefined));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    object: { ...(candidate as Omit<StoredObject, 'kind'>), kind: c.def.kind as Kind },
  };
}
