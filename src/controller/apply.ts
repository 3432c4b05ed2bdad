/**
 * `mezzo apply` for the embedded store: create or update objects, validated exactly as
 * the apiserver validates them through the CRDs (src/api/validate.ts: schema, CEL rules,
 * ObjectMeta, defaults), plus the one check a CRD cannot make because it needs other
 * objects (a Schedule dependency cycle). Any input, however malformed, becomes a value:
 * a rejection with the apiserver's per-field lines, and the store unchanged.
 */
import { isDeepStrictEqual } from 'node:util';
import { InvalidObjectError } from '../api/invalid-object.js';
import { dnsSubdomainErrors } from '../api/metadata.js';
import { isClusterScoped, isKnownKind, validateObject } from '../api/validate.js';
import { ConflictError } from '../shared/errors.js';
import type { Kind, Store, StoredObject } from '../store/types.js';
import { buildPartialGraph, type GraphNode } from '../frameworks/schedules/graph.js';

/** The most objects one apply call takes (kubectl sends one per request). */
export const MAX_APPLY_OBJECTS = 1000;

/** The outcome for one object. */
export interface ApplyResult {
  ok: boolean;
  object: string;
  action?: 'created' | 'configured' | 'unchanged';
  /** Every rejection line, joined by newlines. */
  error?: string;
  /** Every rejection line, e.g. `spec.resources.mem: Invalid value: ...`. */
  errors?: string[];
}

/** The outcome of a whole apply request: a bad body (400), or one result per object. */
export type ApplyAllOutcome =
  { status: 400; body: { error: string } } | { status: 200 | 422; body: ApplyResult[] };

function rejected(object: string, errors: string[]): ApplyResult {
  return { ok: false, object, error: errors.join('\n'), errors };
}

/** `Kind/name` for messages, from whatever the input holds. */
function labelOf(raw: unknown): string {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const meta = (
    typeof o['metadata'] === 'object' && o['metadata'] !== null ? o['metadata'] : {}
  ) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 253 ? v : '<invalid>');
  return `${text(o['kind'])}/${text(meta['name'])}`;
}

/**
 * A Schedule that would close a dependency cycle among its namespace's Schedules. (On
 * Kubernetes, where CEL sees one object at a time, the schedules framework reports the
 * same cycle in the Schedule's status instead.)
 */
async function cycleError(store: Store, obj: StoredObject): Promise<string | undefined> {
  const node = (o: StoredObject): GraphNode => {
    const spec = o.spec as { schedule?: unknown; parents?: unknown };
    const parents = Array.isArray(spec.parents)
      ? spec.parents.filter((p): p is string => typeof p === 'string')
      : [];
    return { name: o.metadata.name, parents, scheduled: spec.schedule !== undefined };
  };
  const others = (await store.list('Schedule')).filter(
    (o) => o.metadata.namespace === obj.metadata.namespace && o.metadata.name !== obj.metadata.name,
  );
  const why = buildPartialGraph([...others.map(node), node(obj)]).invalid.get(obj.metadata.name);
  return why?.startsWith('dependency cycle') || why === 'a schedule cannot be its own parent'
    ? `spec.parents: ${why}`
    : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The input as kubectl would send it: a namespaced kind's namespace filled in
 * (`default`), a cluster-scoped kind's dropped. Also the namespace, when it is a string.
 */
function withNamespace(raw: Record<string, unknown>): {
  obj: Record<string, unknown>;
  ns?: string;
} {
  const kind = raw['kind'];
  const meta = raw['metadata'];
  if (typeof kind !== 'string' || !isKnownKind(kind) || !isRecord(meta)) return { obj: raw };
  if (isClusterScoped(kind)) {
    const { namespace: _ns, ...rest } = meta;
    return { obj: { ...raw, metadata: rest } };
  }
  const ns = meta['namespace'] ?? 'default';
  return {
    obj: { ...raw, metadata: { ...meta, namespace: ns } },
    ...(typeof ns === 'string' ? { ns } : {}),
  };
}

/** The stored object the input would update, when the input names one plausibly. */
async function current(store: Store, obj: Record<string, unknown>, ns?: string) {
  const kind = obj['kind'];
  const meta = obj['metadata'];
  const name = isRecord(meta) ? meta['name'] : undefined;
  if (typeof kind !== 'string' || !isKnownKind(kind) || typeof name !== 'string') return undefined;
  if (dnsSubdomainErrors(name).length > 0) return undefined;
  if (!isClusterScoped(kind) && ns === undefined) return undefined;
  return store.get(kind as Kind, name, ns);
}

/**
 * Creates or updates one object; any input yields a result, never an exception.
 * `annotations` are merged into what is written (who asked for it, over HTTP).
 */
export async function applyObject(
  store: Store,
  raw: unknown,
  annotations: Readonly<Record<string, string>> = {},
): Promise<ApplyResult> {
  const label = labelOf(raw);
  if (!isRecord(raw)) {
    const v = validateObject(raw);
    return rejected(label, v.ok ? [] : v.errors.map((e) => e.message));
  }
  const { obj, ns } = withNamespace(raw);
  // The stored object, when there is one: transition rules compare with it.
  const cur = await current(store, obj, ns);
  const v = validateObject(obj, cur);
  if (!v.ok)
    return rejected(
      label,
      v.errors.map((e) => e.message),
    );
  const next = v.object;
  const cycle = next.kind === 'Schedule' ? await cycleError(store, next) : undefined;
  if (cycle) return rejected(label, [cycle]);
  try {
    if (!cur) {
      await store.create({
        ...next,
        metadata: {
          ...next.metadata,
          annotations: { ...next.metadata.annotations, ...annotations },
        },
      });
      return { ok: true, object: label, action: 'created' };
    }
    const labels = next.metadata.labels ?? cur.metadata.labels;
    if (isDeepStrictEqual(cur.spec, next.spec) && isDeepStrictEqual(cur.metadata.labels, labels)) {
      return { ok: true, object: label, action: 'unchanged' };
    }
    await store.update({
      ...cur,
      spec: next.spec,
      metadata: {
        ...cur.metadata,
        ...(labels ? { labels } : {}),
        annotations: { ...cur.metadata.annotations, ...annotations },
      },
    });
    return { ok: true, object: label, action: 'configured' };
  } catch (e) {
    if (e instanceof ConflictError) return rejected(label, [e.message]);
    if (e instanceof InvalidObjectError) return rejected(label, [...e.errors]);
    throw e;
  }
}

/**
 * Applies the body of an apply request: a JSON list of objects (as `mezzo apply -f`
 * sends). Anything else is a 400 naming what is wrong; otherwise each object is applied
 * in order and the answer is 200, or 422 when any was rejected.
 */
export async function applyAll(
  store: Store,
  body: unknown,
  annotations: Readonly<Record<string, string>> = {},
): Promise<ApplyAllOutcome> {
  if (!Array.isArray(body)) {
    const what = body === null ? 'null' : typeof body;
    return { status: 400, body: { error: `body must be a JSON list of objects, not ${what}` } };
  }
  if (body.length > MAX_APPLY_OBJECTS) {
    return {
      status: 400,
      body: { error: `at most ${MAX_APPLY_OBJECTS} objects per apply (got ${body.length})` },
    };
  }
  const bad = body.findIndex((o) => typeof o !== 'object' || o === null || Array.isArray(o));
  if (bad >= 0) {
    const o: unknown = body[bad];
    const what = o === null ? 'null' : Array.isArray(o) ? 'a list' : typeof o;
    return { status: 400, body: { error: `body[${bad}] must be an object, not ${what}` } };
  }
  const results: ApplyResult[] = [];
  for (const o of body) results.push(await applyObject(store, o, annotations));
  return { status: results.some((r) => !r.ok) ? 422 : 200, body: results };
}
