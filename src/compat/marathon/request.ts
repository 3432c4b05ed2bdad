/**
 * Reading Marathon requests: query flags as Marathon clients send them (`force=true`, and
 * marathon-python's `force=False`), repeated parameters (`embed=a&embed=b`), and the
 * authorization questions the routes ask, which are the native API's for the same
 * action (src/controller/http/object-routes.ts, task-routes.ts).
 */
import type { FastifyRequest } from 'fastify';
import { mezzoAccess } from '../../auth/route-access.js';
import type { AccessRequest } from '../../auth/types.js';
import type { ControllerCore } from '../../controller/core.js';
import { taskObjectOf } from '../../controller/task-mirror.js';
import type { Store } from '../../store/types.js';
import { MarathonHttpError } from './errors.js';
import type { MarathonEvents } from './events.js';

/** What every Marathon route reads. */
export interface MarathonContext {
  core: ControllerCore;
  store: Store;
  /** Where the Marathon API's apps live. */
  appNamespace: string;
  /** Where offer-launched tasks' objects are (the controller's namespace). */
  taskNamespace: string;
  events: MarathonEvents;
}

type Query = Record<string, string | string[] | undefined>;

/** The query of a request as fastify parsed it. */
export function queryOf(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

/** Every value of a repeatable parameter, comma-separated values split too. */
export function listParam(q: Query, key: string): string[] {
  const v = q[key];
  const all = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return all
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** A single-valued parameter (a repeated one is a 400). */
export function oneParam(q: Query, key: string): string | undefined {
  const v = q[key];
  if (Array.isArray(v))
    throw new MarathonHttpError(400, `query parameter ${key} given more than once`);
  if (v !== undefined && v.length > 1024)
    throw new MarathonHttpError(400, `query parameter ${key} is too long`);
  return v;
}

/** A boolean flag: true/false in any case, absent is `dflt`; anything else is a 400. */
export function flag(q: Query, key: string, dflt = false): boolean {
  const v = oneParam(q, key);
  if (v === undefined || v === '') return dflt;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new MarathonHttpError(
    400,
    `query parameter ${key} must be true or false, not "${v.slice(0, 32)}"`,
  );
}

/** A question on Apps in the Marathon namespace (on one App when `name` is given). */
export function onApps(ctx: MarathonContext, verb: string, name?: string): AccessRequest {
  return mezzoAccess(verb, 'apps', { namespace: ctx.appNamespace, ...(name ? { name } : {}) });
}

/** Listing tasks: the native question for the controller's Task objects. */
export function listTasks(ctx: MarathonContext): AccessRequest {
  return mezzoAccess('list', 'tasks', { namespace: ctx.taskNamespace });
}

/**
 * Killing a task: `kill` on its Task object, as POST /kill asks; an unknown task is asked
 * about by its ID, so its absence shows only to a caller who may see it.
 */
export function killTask(ctx: MarathonContext, taskId: string): AccessRequest {
  const task = ctx.core.tasks.get(taskId);
  const ref = task
    ? taskObjectOf(task, ctx.taskNamespace)
    : { namespace: ctx.taskNamespace, name: taskId };
  return mezzoAccess('kill', 'tasks', { namespace: ref.namespace, name: ref.name });
}

/** The caller's address, for api_post_event. */
export function clientIp(req: FastifyRequest): string {
  return req.socket.remoteAddress ?? '';
}
