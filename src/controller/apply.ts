/**
 * `mezzo apply` for the embedded store: create or update an object, with the checks the
 * Kubernetes apiserver makes through the CRDs' schema for the rules that matter most
 * (kind known, name valid, a Task's command and resources). Rejections are values with
 * a message naming the field.
 */
import { ConflictError } from '../shared/errors.js';
import { API_VERSION, type Store, type StoredObject } from '../store/types.js';
import { buildPartialGraph, type GraphNode } from '../frameworks/schedules/graph.js';

const KINDS: ReadonlySet<string> = new Set([
  'Framework',
  'Task',
  'Role',
  'Agent',
  'App',
  'Schedule',
]);
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The outcome for one object. */
export interface ApplyResult {
  ok: boolean;
  object: string;
  action?: 'created' | 'configured' | 'unchanged';
  error?: string;
}

function validate(o: StoredObject): string | undefined {
  if (o.apiVersion !== API_VERSION) return `apiVersion: must be ${API_VERSION}`;
  if (!KINDS.has(o.kind)) return `kind: unknown kind "${o.kind}"`;
  if (!NAME.test(o.metadata.name) || o.metadata.name.length > 253) {
    return 'metadata.name: must be a lower-case DNS name';
  }
  if (o.kind === 'Task') {
    const spec = o.spec as {
      command?: unknown;
      args?: unknown;
      resources?: { cpus?: unknown; mem?: unknown };
    };
    if ((spec.command === undefined) === (spec.args === undefined)) {
      return 'spec: set exactly one of command (a shell string) or args (an argv list)';
    }
    if (typeof spec.resources?.cpus !== 'number' || spec.resources.cpus <= 0) {
      return 'spec.resources.cpus: is required and must be a number greater than zero';
    }
    if (spec.resources.mem === undefined) return 'spec.resources.mem: is required (e.g. 64Mi)';
  }
  return undefined;
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

/** Creates or updates one object. */
export async function applyObject(store: Store, raw: unknown): Promise<ApplyResult> {
  const o = raw as StoredObject;
  const label = `${o.kind}/${o.metadata.name}`;
  if (typeof raw !== 'object' || raw === null || typeof o.metadata !== 'object') {
    return { ok: false, object: label, error: 'not an object with metadata' };
  }
  const ns =
    o.kind === 'Role' || o.kind === 'Agent' ? undefined : (o.metadata.namespace ?? 'default');
  const obj: StoredObject = { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}) } };
  const err = validate(obj) ?? (obj.kind === 'Schedule' ? await cycleError(store, obj) : undefined);
  if (err) return { ok: false, object: label, error: err };
  const cur = await store.get(obj.kind, obj.metadata.name, ns);
  try {
    if (!cur) {
      await store.create(obj);
      return { ok: true, object: label, action: 'created' };
    }
    if (JSON.stringify(cur.spec) === JSON.stringify(obj.spec))
      return { ok: true, object: label, action: 'unchanged' };
    if (obj.kind === 'Task')
      return {
        ok: false,
        object: label,
        error: "spec: a task's spec is immutable; delete and re-create it",
      };
    await store.update({
      ...cur,
      spec: obj.spec,
      metadata: { ...cur.metadata, labels: obj.metadata.labels ?? cur.metadata.labels },
    });
    return { ok: true, object: label, action: 'configured' };
  } catch (e) {
    if (e instanceof ConflictError) return { ok: false, object: label, error: e.message };
    throw e;
  }
}
