/**
 * Stored objects over HTTP, as `mezzo apply`, `get`, `delete` and `run-schedule` use
 * them: GET /objects?kind=K, DELETE /objects?kind=K&name=N&namespace=NS,
 * POST /annotate?kind=K&name=N&namespace=NS (body: annotations to merge) and
 * POST /apply (body: a list of objects).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mezzoAccess } from '../../auth/route-access.js';
import type { AccessRequest } from '../../auth/types.js';
import { RUN_NOW_ARGUMENTS_ANNOTATION } from '../../frameworks/schedules/run-arguments.js';
import { ConflictError } from '../../shared/errors.js';
import { HttpError } from '../../shared/http/errors.js';
import { JSON_TYPE } from '../../shared/http/server.js';
import type { Kind, Store } from '../../store/types.js';
import { applyAll, MAX_APPLY_OBJECTS } from '../apply.js';
import {
  ALL_KINDS,
  ANNOTATABLE_KINDS,
  CLUSTER_SCOPED,
  NAME,
  NAMESPACE,
  pluralOf,
  USER_KINDS,
} from './schemas.js';
import { requestedBy } from './requested-by.js';

/** The largest /apply body: a few thousand objects of a few hundred bytes each. */
export const APPLY_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The envelope every object shares (Kubernetes validates ObjectMeta itself, not through
 * a CRD): apiVersion, kind and metadata of the right types. What a kind's spec may say is
 * the apply step's check, from the CRD schemas.
 */
const OBJECT_ENVELOPE = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string', maxLength: 253 },
    kind: { type: 'string', maxLength: 63 },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 253 },
        namespace: NAMESPACE,
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: { type: 'object' },
  },
} as const;

/** An annotation key: a Kubernetes qualified name with an optional DNS prefix. */
const ANNOTATION_KEY = {
  type: 'string',
  maxLength: 317,
  pattern:
    '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
} as const;

interface ObjectQuery {
  kind: Kind;
  name: string;
  namespace?: string;
}

/** The namespace a query names (`default` when none; none for cluster-scoped kinds). */
function namespaceOf(q: ObjectQuery): string | undefined {
  return CLUSTER_SCOPED.has(q.kind) ? undefined : (q.namespace ?? 'default');
}

/** `verb` on the object a query names. */
function onQueried(verb: string) {
  return (req: FastifyRequest): AccessRequest => {
    const q = req.query as ObjectQuery;
    const ns = namespaceOf(q);
    return mezzoAccess(verb, pluralOf(q.kind), { name: q.name, ...(ns ? { namespace: ns } : {}) });
  };
}

/** An envelope as the body schema lets it through. */
interface Envelope {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * What an apply asks for each object: `update` on one that exists, `create` on one that
 * does not, in the namespace it goes to.
 */
async function applyQuestions(
  store: Store,
  objects: readonly Envelope[],
): Promise<AccessRequest[]> {
  return Promise.all(
    objects.map(async (o) => {
      const known = (ALL_KINDS as readonly string[]).includes(o.kind);
      const ns = CLUSTER_SCOPED.has(o.kind) ? undefined : (o.metadata.namespace ?? 'default');
      const exists = known ? await store.get(o.kind as Kind, o.metadata.name, ns) : undefined;
      return mezzoAccess(exists ? 'update' : 'create', pluralOf(o.kind), {
        name: o.metadata.name,
        ...(ns ? { namespace: ns } : {}),
      });
    }),
  );
}

/** Registers the object routes on `app`. */
export function objectRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Querystring: { kind?: Kind } }>(
    '/objects',
    {
      config: {
        access: (req) =>
          mezzoAccess('list', pluralOf((req.query as { kind?: string }).kind ?? 'Task')),
      },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { kind: { enum: ALL_KINDS } },
        },
      },
    },
    async (req) => store.list(req.query.kind ?? 'Task'),
  );

  app.delete<{ Querystring: ObjectQuery }>(
    '/objects',
    {
      config: { access: onQueried('delete') },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name'],
          properties: { kind: { enum: USER_KINDS }, name: NAME, namespace: NAMESPACE },
        },
      },
    },
    async (req) => {
      const { kind, name } = req.query;
      // Deleting starts the object's end; its finalizers may still hold it a while.
      const ns = namespaceOf(req.query);
      if (!(await store.get(kind, name, ns)))
        throw new HttpError(404, 'NOT_FOUND', `${kind}/${name} not found`);
      await store.delete(kind, name, ns);
      return { deleted: true };
    },
  );

  app.post<{ Querystring: ObjectQuery; Body: Record<string, string> }>(
    '/annotate',
    {
      config: {
        access: (req) => {
          const asked = onQueried('patch')(req);
          // Arguments for a run change what it executes: as a spec change, that is `update`.
          const body = req.body as Record<string, string>;
          return Object.hasOwn(body, RUN_NOW_ARGUMENTS_ANNOTATION)
            ? [asked, onQueried('update')(req)]
            : asked;
        },
      },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name'],
          properties: { kind: { enum: ANNOTATABLE_KINDS }, name: NAME, namespace: NAMESPACE },
        },
        body: {
          type: 'object',
          maxProperties: 64,
          propertyNames: ANNOTATION_KEY,
          additionalProperties: { type: 'string', maxLength: 64 * 1024 },
        },
      },
    },
    async (req) => {
      // How `mezzo run-schedule` sets mezzo.dev/run-now.
      const { kind, name } = req.query;
      const ns = req.query.namespace ?? 'default';
      // Read-modify-write, again on a conflict (a framework may write meanwhile).
      for (let attempt = 0; ; attempt++) {
        const found = await store.get(kind, name, ns);
        if (!found) throw new HttpError(404, 'NOT_FOUND', `${kind}/${name} not found in ${ns}`);
        found.metadata.annotations = {
          ...found.metadata.annotations,
          ...req.body,
          ...requestedBy(req),
        };
        try {
          const saved = await store.update(found);
          return { annotations: saved.metadata.annotations };
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= 4) throw err;
        }
      }
    },
  );

  app.post<{ Body: unknown[] }>(
    '/apply',
    {
      bodyLimit: APPLY_BODY_LIMIT,
      config: { access: (req) => applyQuestions(store, req.body as Envelope[]) },
      schema: { body: { type: 'array', maxItems: MAX_APPLY_OBJECTS, items: OBJECT_ENVELOPE } },
    },
    async (req, reply) => {
      const outcome = await applyAll(store, req.body, requestedBy(req));
      if (outcome.status === 400) throw new HttpError(400, 'BAD_REQUEST', outcome.body.error);
      const results = outcome.body;
      const rejected = results.filter((r) => !r.ok);
      if (rejected.length === 0) return results;
      // Each object stands alone (as with kubectl apply): the accepted ones are applied.
      return reply
        .code(422)
        .type(JSON_TYPE)
        .send({
          error: {
            code: 'OBJECTS_REJECTED',
            message: `${rejected.length} of ${results.length} objects rejected: ${rejected
              .slice(0, 3)
              .map((r) => `${r.object}: ${r.error ?? ''}`)
              .join('; ')}${rejected.length > 3 ? '; …' : ''}`,
            details: { results },
          },
        });
    },
  );
}
