/**
 * Stored objects over HTTP, as `mezzo apply`, `get`, `delete` and `run-schedule` use
 * them: GET /objects?kind=K, DELETE /objects?kind=K&name=N&namespace=NS,
 * POST /annotate?kind=K&name=N&namespace=NS (body: annotations to merge) and
 * POST /apply (body: a list of objects).
 */
import type { FastifyInstance } from 'fastify';
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
  USER_KINDS,
} from './schemas.js';

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

/** Registers the object routes on `app`. */
export function objectRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Querystring: { kind?: Kind } }>(
    '/objects',
    {
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
      const ns = CLUSTER_SCOPED.has(kind) ? undefined : (req.query.namespace ?? 'default');
      if (!(await store.get(kind, name, ns)))
        throw new HttpError(404, 'NOT_FOUND', `${kind}/${name} not found`);
      await store.delete(kind, name, ns);
      return { deleted: true };
    },
  );

  app.post<{ Querystring: ObjectQuery; Body: Record<string, string> }>(
    '/annotate',
    {
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
        found.metadata.annotations = { ...found.metadata.annotations, ...req.body };
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
      schema: { body: { type: 'array', maxItems: MAX_APPLY_OBJECTS, items: OBJECT_ENVELOPE } },
    },
    async (req, reply) => {
      const outcome = await applyAll(store, req.body);
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
