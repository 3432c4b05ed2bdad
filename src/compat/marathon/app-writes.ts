/**
 * Writing Apps for the Marathon API: a Marathon definition becomes an App spec
 * (app-json.ts), is validated exactly as `mezzo apply` validates it (the CRD schema, then
 * the apps framework's reader), and is written to the store with its version recorded
 * (versions.ts). Any refusal is a {@link MarathonHttpError} before anything is written.
 */
import { isDeepStrictEqual } from 'node:util';
import { InvalidObjectError } from '../../api/invalid-object.js';
import { validateObject } from '../../api/validate.js';
import { readAppSpec } from '../../frameworks/apps/app-spec.js';
import { ConflictError } from '../../shared/errors.js';
import { API_VERSION, type Store, type StoredObject } from '../../store/types.js';
import { appRefOf, type AppRef } from './app-id.js';
import { marathonPath } from './app-definition.js';
import { specOfMarathon } from './app-json.js';
import { deploymentIdOf } from './app-view.js';
import { invalid, MarathonHttpError, type FieldProblem } from './errors.js';
import { VERSIONS_ANNOTATION, withVersion } from './versions.js';

type Json = Record<string, unknown>;

/** The answer to a write: Marathon's `{deploymentId, version}` and the App as written. */
export interface WriteOutcome {
  app: StoredObject;
  deploymentId: string;
  version: string;
  created: boolean;
}

/** A body that must be one JSON object. */
export function objectBody(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MarathonHttpError(400, 'Invalid JSON: the body must be an app definition object');
  return body as Json;
}

/** The App a Marathon id names, or a 422 naming why it names none. */
export function refOrRefuse(namespace: string, id: unknown, path = '/id'): AppRef {
  if (typeof id !== 'string') throw invalid([{ path, errors: ['is required (a string)'] }]);
  const r = appRefOf(namespace, id);
  if (!r.ok) throw invalid([{ path, errors: [r.why] }]);
  return r.ref;
}

/** A Marathon definition as an App spec, or a 422 with every problem. */
export function specOrRefuse(body: Json, partial = false): Json {
  const mapped = specOfMarathon(body, partial);
  if (!mapped.ok) throw invalid(mapped.problems);
  return mapped.spec;
}

function problemsOf(lines: readonly string[]): FieldProblem[] {
  return lines.map((line) => {
    const m = /^(spec[^:]*): (.*)$/s.exec(line);
    return m
      ? { path: marathonPath(m[1] ?? ''), errors: [m[2] ?? line] }
      : { path: '/', errors: [line] };
  });
}

/**
 * Creates or replaces the App at `ref` with `spec`. `expect` says what the caller knows:
 * `absent` (POST: an existing app is a 409), `present` (PATCH: a missing one is a 404)
 * or `any` (PUT creates or updates).
 */
export async function writeApp(
  store: Store,
  ref: AppRef,
  spec: Json,
  opts: {
    expect: 'absent' | 'present' | 'any';
    annotations: Record<string, string>;
    now: number;
    force?: boolean;
    /** Check everything, write nothing (a bulk request checks all its apps first). */
    dryRun?: boolean;
  },
): Promise<WriteOutcome> {
  const cur = await store.get('App', ref.name, ref.namespace);
  if (cur && opts.expect === 'absent')
    throw new MarathonHttpError(409, `An app with id [${ref.id}] already exists.`);
  if (!cur && opts.expect === 'present')
    throw new MarathonHttpError(404, `App '${ref.id}' does not exist`);
  if (cur?.metadata.deletionTimestamp)
    throw new MarathonHttpError(409, `App '${ref.id}' is being deleted`);
  const raw = {
    apiVersion: API_VERSION,
    kind: 'App',
    metadata: { name: ref.name, namespace: ref.namespace },
    spec,
  };
  const v = validateObject(raw, cur);
  if (!v.ok) throw invalid(problemsOf(v.errors.map((e) => e.message)));
  const read = readAppSpec(v.object.spec);
  if (!read.ok) throw invalid(problemsOf([`${read.problem.path}: ${read.problem.message}`]));
  const at = new Date(opts.now).toISOString();
  if (cur && isDeepStrictEqual(cur.spec, v.object.spec))
    return { app: cur, deploymentId: deploymentIdOf(cur), version: at, created: false };
  const status = cur?.status as { deployment?: unknown } | undefined;
  const changesVersion = cur !== undefined && !sameButInstances(cur.spec, v.object.spec);
  if (changesVersion && status?.deployment !== undefined && opts.force !== true)
    throw new MarathonHttpError(
      409,
      `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.`,
    );
  if (opts.dryRun === true)
    return { app: cur ?? v.object, deploymentId: '', version: at, created: cur === undefined };
  const annotations = {
    ...opts.annotations,
    [VERSIONS_ANNOTATION]: withVersion(cur, v.object.spec, at),
  };
  try {
    const saved = cur
      ? await store.update({
          ...cur,
          spec: v.object.spec,
          metadata: {
            ...cur.metadata,
            annotations: { ...cur.metadata.annotations, ...annotations },
          },
        })
      : await store.create({
          ...v.object,
          metadata: {
            ...v.object.metadata,
            annotations: { ...v.object.metadata.annotations, ...annotations },
          },
        });
    return { app: saved, deploymentId: deploymentIdOf(saved), version: at, created: !cur };
  } catch (err) {
    if (err instanceof ConflictError)
      throw new MarathonHttpError(409, `App '${ref.id}' changed meanwhile; retry: ${err.message}`);
    if (err instanceof InvalidObjectError) throw invalid(problemsOf(err.errors));
    throw err;
  }
}

function sameButInstances(a: Json, b: Json): boolean {
  const { instances: _a, ...ra } = a;
  const { instances: _b, ...rb } = b;
  return isDeepStrictEqual(ra, rb);
}

/**
 * A stored spec with a partial one laid over it (PATCH, PUT with partialUpdate): fields
 * not given stay exactly as stored, so a scale keeps the version.
 */
export function mergeSpec(current: Json, partial: Json): Json {
  const out: Json = { ...current, ...partial };
  // command and args exclude each other: the one given wins.
  if (partial.command !== undefined && partial.args === undefined) delete out.args;
  if (partial.args !== undefined && partial.command === undefined) delete out.command;
  return out;
}
