/**
 * Mesos' master endpoints on the controller's HTTP port: the classic JSON documents
 * (`/master/state` and its aliases, `/master/frameworks`, `/master/slaves`,
 * `/master/tasks`, `/master/roles`, `/metrics/snapshot`) and the v1 operator API
 * (`POST /api/v1`, `/api/v1/operator`) in JSON.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ControllerCore } from '../../controller/core.js';
import { HttpError } from '../../shared/http/errors.js';
import { decodeMessageJsonType } from './operator-call.js';
import { operatorAnswer } from './operator.js';
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

/** Registers the endpoints; `startTime` is when this controller began leading (seconds). */
export function mesosStateRoutes(
  app: FastifyInstance,
  core: ControllerCore,
  startTime: number,
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
  for (const path of ['/master/state', '/master/state.json', '/state.json'])
    app.get(path, { schema }, (req) => stateDoc(core, me(req)));
  app.get('/master/frameworks', { schema }, () => frameworksDoc(core));
  app.get('/master/slaves', { schema }, () => slavesDoc(core));
  app.get('/master/roles', { schema }, () => rolesDoc(core));
  app.get('/metrics/snapshot', { schema }, (req) =>
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
  }>('/master/tasks', { schema: { querystring: TASKS_QUERY } }, (req) => {
    const q = req.query;
    // Mesos' defaults: 100 tasks from the start, oldest first.
    const limit = Number(q.limit ?? 100);
    const offset = Number(q.offset ?? 0);
    const tasks = [...core.tasks.values()].filter(
      (t) =>
        (!q.framework_id || t.frameworkId === q.framework_id) && (!q.task_id || t.id === q.task_id),
    );
    if (q.order === 'des') tasks.reverse();
    return { tasks: tasks.slice(offset, offset + limit).map(taskJson) };
  });
  for (const path of ['/api/v1', '/api/v1/operator']) {
    app.post(path, (req) => {
      const type = decodeMessageJsonType(req.headers['content-type'], req.body);
      if (type instanceof HttpError) throw type;
      const answer = operatorAnswer(core, me(req), type);
      if (answer instanceof Refused) throw new HttpError(400, 'BAD_REQUEST', answer.message);
      return answer;
    });
  }
}
