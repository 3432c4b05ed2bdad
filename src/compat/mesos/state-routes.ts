/**
 * Mesos' master endpoints on the controller's HTTP port: the classic JSON documents
 * (`/master/state` and its aliases, `/master/frameworks`, `/master/slaves`,
 * `/master/tasks`, `/master/roles`, `/metrics/snapshot`) and the v1 operator API
 * (`POST /api/v1`, `/api/v1/operator`) in JSON.
 *
 * Each declares what it needs, as Mezzo's `/state` does: a non-resource `get` on its path
 * (Mesos' `get_endpoints` ACL); the operator API's TEARDOWN needs what tearing down
 * another's framework needs natively, `teardown` on `frameworks` named by its ID. Errors
 * are answered in Mesos' style (plain-errors.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mezzoAccess, type RouteAccess } from '../../auth/route-access.js';
import type { AccessRequest } from '../../auth/types.js';
import type { Store } from '../../store/types.js';
import type { ControllerCore } from '../../controller/core.js';
import { HttpError } from '../../shared/http/errors.js';
import { decodeMessageJsonType } from './operator-call.js';
import { operatorAnswer, type OperatorContext } from './operator.js';
import { serveOperatorEvents } from './operator-events.js';
import { mesosStyleErrors } from './plain-errors.js';
import { MESOS_API_VERSION } from './scheduler-route.js';
import {
  frameworksDoc,
  metricsSnapshot,
  rolesDoc,
  slavesDoc,
  stateDoc,
  taskJson,
  type MasterIdentity,
} from './state.js';
import { Refused } from './refused.js';

const NO_PARAMETERS = { type: 'object' } as const;

const TASKS_QUERY = {
  type: 'object',
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
    order: { enum: ['asc', 'des'] },
    framework_id: { type: 'string', maxLength: 1024 },
    task_id: { type: 'string', maxLength: 1024 },
  },
  additionalProperties: false,
} as const;

/** Where the operator API finds what the core does not hold. */
export interface OperatorSources {
  /** The controller's namespace (of Framework and Role objects). */
  readonly namespace: string;
  readonly store: Store;
}

/** A non-resource `get` on `path`. */
function readOf(path: string): RouteAccess {
  const question: AccessRequest = { nonResource: { verb: 'get', path } };
  return () => question;
}

/** The framework ID an operator TEARDOWN names ('' when it names none). */
function teardownTarget(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('type' in body)) return undefined;
  if (body.type !== 'TEARDOWN') return undefined;
  const t = 'teardown' in body ? body.teardown : undefined;
  const fw =
    typeof t === 'object' && t !== null && 'framework_id' in t ? t.framework_id : undefined;
  const value = typeof fw === 'object' && fw !== null && 'value' in fw ? fw.value : undefined;
  return typeof value === 'string' ? value : '';
}

/** Registers the endpoints; `startTime` is when this controller began leading (seconds). */
export function mesosStateRoutes(
  app: FastifyInstance,
  core: ControllerCore,
  startTime: number,
  sources: OperatorSources,
): void {
  void app.register((scope, _opts, done) => {
    mesosStyleErrors(scope);
    stateRoutes(scope, core, startTime, sources);
    done();
  });
}

function stateRoutes(
  app: FastifyInstance,
  core: ControllerCore,
  startTime: number,
  sources: OperatorSources,
): void {
  const me = (req: FastifyRequest): MasterIdentity => {
    const host = req.socket.localAddress ?? '127.0.0.1';
    const port = req.socket.localPort ?? 0;
    return {
      id: `mezzo-${host}:${String(port)}`,
      address: `${host}:${String(port)}`,
      hostname: host,
      port,
      version: MESOS_API_VERSION,
      startTime,
    };
  };
  const schema = { querystring: NO_PARAMETERS };
  const read = (path: string) => ({ schema, config: { access: readOf(path) } });
  for (const path of ['/master/state', '/master/state.json', '/state.json'])
    app.get(path, read(path), (req) => stateDoc(core, me(req)));
  app.get('/master/frameworks', read('/master/frameworks'), () => frameworksDoc(core));
  app.get('/master/slaves', read('/master/slaves'), () => slavesDoc(core));
  app.get('/master/roles', read('/master/roles'), () => rolesDoc(core));
  app.get('/metrics/snapshot', read('/metrics/snapshot'), (req) =>
    metricsSnapshot(core, me(req), core.clock.now() / 1000),
  );
  app.get<{
    Querystring: {
      limit?: string;
      offset?: string;
      order?: 'asc' | 'des';
      framework_id?: string;
      task_id?: string;
    };
  }>(
    '/master/tasks',
    { schema: { querystring: TASKS_QUERY }, config: { access: readOf('/master/tasks') } },
    (req) => {
      const q = req.query;
      // Mesos' defaults: 100 tasks from the start, oldest first.
      const limit = Number(q.limit ?? 100);
      const offset = Number(q.offset ?? 0);
      const tasks = [...core.tasks.values()].filter(
        (t) =>
          (!q.framework_id || t.frameworkId === q.framework_id) &&
          (!q.task_id || t.id === q.task_id),
      );
      if (q.order === 'des') tasks.reverse();
      return { tasks: tasks.slice(offset, offset + limit).map(taskJson) };
    },
  );
  for (const path of ['/api/v1', '/api/v1/operator']) {
    const access = (req: FastifyRequest): AccessRequest => {
      const target = teardownTarget(req.body);
      if (target === undefined) return { nonResource: { verb: 'get', path } };
      return mezzoAccess('teardown', 'frameworks', {
        namespace: sources.namespace,
        ...(target ? { name: target } : {}),
      });
    };
    app.post(path, { config: { access, basicAuth: true } }, async (req, reply) => {
      const type = decodeMessageJsonType(req.headers['content-type'], req.body);
      if (type instanceof HttpError) throw type;
      if (type === 'SUBSCRIBE') return subscribeOperator(core, reply);
      if (type === 'TEARDOWN') return teardown(core, req.body, reply);
      const ctx: OperatorContext = {
        core,
        me: me(req),
        // Every Role object, as the controller applies every one it watches.
        roles: () => sources.store.list('Role'),
      };
      const answer = await operatorAnswer(ctx, type);
      if (answer instanceof Refused) throw new HttpError(400, 'BAD_REQUEST', answer.message);
      return answer;
    });
  }
}

function subscribeOperator(core: ControllerCore, reply: FastifyReply): FastifyReply {
  reply.hijack();
  serveOperatorEvents(core, reply.raw);
  return reply;
}

/** TEARDOWN of any framework, for a caller allowed `teardown` on it (checked by the guard). */
function teardown(core: ControllerCore, body: unknown, reply: FastifyReply): FastifyReply {
  const id = teardownTarget(body);
  if (!id) throw new HttpError(400, 'BAD_REQUEST', "a TEARDOWN needs 'teardown.framework_id'");
  const fw = core.frameworks.get(id);
  if (!fw) throw new HttpError(404, 'NOT_FOUND', `framework ${id} is not known`);
  core.removeFramework(fw, 'torn down through the operator API');
  return reply.code(200).send();
}
