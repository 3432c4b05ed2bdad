/**
 * The live cluster over HTTP: GET /state (frameworks, agents, tasks, offers), GET /logs
 * (a slice of a task's sandbox stdout or stderr, read through its agent's stream) and
 * POST /kill (the operator's kill, as the framework's KILL would do it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mezzoAccess } from '../../auth/route-access.js';
import type { AccessRequest } from '../../auth/types.js';
import { HttpError } from '../../shared/http/errors.js';
import type { ControllerCore } from '../core.js';
import { isTerminal, type TaskRecord } from '../records.js';
import { NO_PARAMETERS, TASK_ID } from './schemas.js';
import { SharedBuild } from './shared-build.js';
import { stateBytes } from './state.js';
import { taskObjectOf } from '../task-mirror.js';

/** The most bytes one /logs answer carries. */
export const LOGS_SLICE_BYTES = 1 << 20;

function taskOf(core: ControllerCore, id: string): TaskRecord {
  const task = core.tasks.get(id);
  if (!task) throw new HttpError(404, 'NOT_FOUND', `unknown task ${id}`);
  return task;
}

/**
 * `verb` (on `subresource`) on the Task object of the task a query names; an unknown
 * task is asked about by its ID in `namespace`, so that its absence shows only to a
 * caller who may see it.
 */
function onTask(core: ControllerCore, namespace: string, verb: string, subresource?: string) {
  return (req: FastifyRequest): AccessRequest => {
    const id = (req.query as { task: string }).task;
    const task = core.tasks.get(id);
    const ref = task ? taskObjectOf(task, namespace) : { namespace, name: id };
    return mezzoAccess(verb, 'tasks', {
      namespace: ref.namespace,
      name: ref.name,
      ...(subresource ? { subresource } : {}),
    });
  };
}

/** Registers the task routes on `app`; `namespace` is where offer-launched tasks' objects are. */
export function taskRoutes(app: FastifyInstance, core: ControllerCore, namespace: string): void {
  const state = new SharedBuild(() => stateBytes(core));
  app.get('/state', { schema: { querystring: NO_PARAMETERS } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').send(await state.read()),
  );

  app.get<{ Querystring: { task: string; file?: 'stdout' | 'stderr'; offset?: string } }>(
    '/logs',
    {
      config: { access: onTask(core, namespace, 'get', 'log') },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['task'],
          properties: {
            task: TASK_ID,
            file: { enum: ['stdout', 'stderr'] },
            // Up to 15 digits: every value is an exact integer (below 2^53).
            offset: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
        },
      },
    },
    async (req) => {
      const task = taskOf(core, req.query.task);
      const agent = core.agents.get(task.agentId);
      if (!agent?.stream || agent.state !== 'active') {
        throw new HttpError(
          503,
          'AGENT_UNAVAILABLE',
          `agent ${task.agentId} of task ${task.id} is not connected; try again when it is`,
        );
      }
      let slice;
      try {
        slice = await core.files.read(
          agent,
          task.id,
          req.query.file ?? 'stdout',
          Number(req.query.offset ?? '0'),
          LOGS_SLICE_BYTES,
        );
      } catch (err) {
        // The agent answered with an error, or not in time: not the controller's fault.
        throw new HttpError(
          502,
          'AGENT_READ_FAILED',
          `agent ${agent.id} could not read the file: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      return {
        data: slice.data.toString('utf8'),
        offset: slice.offset,
        eof: slice.eof,
        state: task.state,
      };
    },
  );

  app.post<{ Querystring: { task: string } }>(
    '/kill',
    {
      config: { access: onTask(core, namespace, 'kill') },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['task'],
          properties: { task: TASK_ID },
        },
      },
    },
    (req) => {
      const task = taskOf(core, req.query.task);
      // A task that has ended stays as it ended (the kill would rewrite a final state).
      if (isTerminal(task.state))
        throw new HttpError(
          409,
          'TASK_TERMINAL',
          `task ${task.id} has already ended (${task.state})`,
          {
            state: task.state,
          },
        );
      core.killTask(task);
      return { killing: task.id, state: task.state };
    },
  );
}
