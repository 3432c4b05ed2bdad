/**
 * One app: `/v2/apps/{id}` (GET, PUT, PATCH, DELETE), `/restart`, `/tasks` (GET, DELETE),
 * `/tasks/{taskId}` (DELETE), `/versions` and `/versions/{version}`. Marathon ids hold
 * slashes, so each method has one wildcard route and the path's last segments say which
 * resource it is (as in Marathon, an app cannot be named `.../tasks` or `.../versions`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessQuestions } from '../../auth/route-access.js';
import { requestedBy } from '../../controller/http/requested-by.js';
import type { StoredObject } from '../../store/types.js';
import { appRefOf, type AppRef } from './app-id.js';
import { putApp, writeQuestion, postEvent, embedsTasks } from './app-routes.js';
import { marathonDefinition } from './app-definition.js';
import { appIdOfTask, appInfo, appSpecOf, appTasks, deploymentIdOf, taskJson } from './app-view.js';
import { objectBody, writeApp } from './app-writes.js';
import { appNotFound, MarathonHttpError } from './errors.js';
import { killTasks, type KillOutcome } from './kill.js';
import {
  flag,
  killTask,
  listTasks,
  onApps,
  oneParam,
  queryOf,
  type MarathonContext,
} from './request.js';
import { currentVersion, versionsOf } from './versions.js';

/** Label on an App's spec that a restart sets, so that the spec (and its version) changes. */
export const RESTART_LABEL = 'MEZZO_RESTARTED_AT';

type Target =
  | { kind: 'app' | 'restart' | 'tasks' | 'versions'; id: string }
  | { kind: 'task'; id: string; taskId: string }
  | { kind: 'version'; id: string; version: string };

/** Which resource a wildcard path names for `method`. */
function targetOf(method: string, rest: string): Target {
  const parts = rest.split('/').filter((s) => s !== '');
  const last = parts[parts.length - 1];
  const before = parts[parts.length - 2];
  const id = (n: number) => `/${parts.slice(0, parts.length - n).join('/')}`;
  if (method === 'POST') {
    if (last !== 'restart' || parts.length < 2)
      throw new MarathonHttpError(404, `no route POST /v2/apps/${rest.slice(0, 200)}`);
    return { kind: 'restart', id: id(1) };
  }
  if ((method === 'GET' || method === 'DELETE') && last === 'tasks' && parts.length >= 2)
    return { kind: 'tasks', id: id(1) };
  if (method === 'DELETE' && before === 'tasks' && parts.length >= 3)
    return { kind: 'task', id: id(2), taskId: last ?? '' };
  if (method === 'GET' && last === 'versions' && parts.length >= 2)
    return { kind: 'versions', id: id(1) };
  if (method === 'GET' && before === 'versions' && parts.length >= 3)
    return { kind: 'version', id: id(2), version: last ?? '' };
  return { kind: 'app', id: id(0) };
}

function targetOfReq(req: FastifyRequest): Target {
  return targetOf(req.method, (req.params as { '*': string })['*']);
}

/** The App a read names; an id that cannot name one is a 404 like any unknown app. */
function readRef(ctx: MarathonContext, id: string): AppRef {
  const r = appRefOf(ctx.appNamespace, id);
  if (!r.ok) throw appNotFound(id);
  return r.ref;
}

async function existing(
  ctx: MarathonContext,
  id: string,
): Promise<{ ref: AppRef; app: StoredObject }> {
  const ref = readRef(ctx, id);
  const app = await ctx.store.get('App', ref.name, ref.namespace);
  if (!app || app.metadata.deletionTimestamp) throw appNotFound(ref.id);
  return { ref, app };
}

function nameOf(ctx: MarathonContext, id: string): string | undefined {
  const r = appRefOf(ctx.appNamespace, id);
  return r.ok ? r.ref.name : undefined;
}

/** What each request asks: the native question for the same action. */
async function questions(ctx: MarathonContext, req: FastifyRequest): Promise<AccessQuestions> {
  const t = targetOfReq(req);
  const name = nameOf(ctx, t.id);
  switch (t.kind) {
    case 'app':
      if (req.method === 'GET')
        return embedsTasks(req)
          ? [onApps(ctx, 'get', name), listTasks(ctx)]
          : onApps(ctx, 'get', name);
      if (req.method === 'DELETE') return onApps(ctx, 'delete', name);
      return writeQuestion(ctx, t.id, req.method === 'PATCH' ? 'patch' : 'update');
    case 'restart':
      return onApps(ctx, 'update', name);
    case 'tasks':
      if (req.method === 'GET') return [onApps(ctx, 'get', name), listTasks(ctx)];
      return [
        ...(name ? appTasks(ctx.core, ctx.appNamespace, name).map((x) => killTask(ctx, x.id)) : []),
        onApps(ctx, 'get', name),
        ...(flag(queryOf(req), 'scale') ? [onApps(ctx, 'update', name)] : []),
      ];
    case 'task':
      return [
        killTask(ctx, t.taskId),
        ...(flag(queryOf(req), 'scale') ? [onApps(ctx, 'update', name)] : []),
      ];
    case 'versions':
    case 'version':
      return onApps(ctx, 'get', name);
  }
}

function killAnswer(out: KillOutcome, one: boolean) {
  if (out.scaled) {
    const first = out.outcomes[0];
    return { deploymentId: first?.deploymentId ?? '', version: first?.version ?? '' };
  }
  return one ? { task: out.tasks[0] } : { tasks: out.tasks };
}

/** Registers the routes of one app. */
export function appItemRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  const config = { access: (req: FastifyRequest) => questions(ctx, req) };

  app.get('/v2/apps/*', { config }, async (req) => {
    const t = targetOfReq(req);
    const { ref, app: a } = await existing(ctx, t.id);
    switch (t.kind) {
      case 'tasks': {
        const version = currentVersion(a);
        return {
          tasks: appTasks(ctx.core, ref.namespace, ref.name).map((x) =>
            taskJson(ctx.core, x, ref.id, version),
          ),
        };
      }
      case 'versions':
        return {
          versions: versionsOf(a)
            .map((v) => v.version)
            .reverse(),
        };
      case 'version': {
        const v = versionsOf(a).find((x) => x.version === t.version);
        if (!v)
          throw new MarathonHttpError(
            404,
            `App '${ref.id}' does not exist in version ${t.version.slice(0, 64)}`,
          );
        return {
          id: ref.id,
          ...marathonDefinition(appSpecOf({ ...a, spec: v.spec })),
          version: v.version,
        };
      }
      default:
        return { app: appInfo(ctx.core, a, { withTasks: embedsTasks(req) }) };
    }
  });

  const update = (partial: boolean) => async (req: FastifyRequest) => {
    const t = targetOfReq(req);
    const body = objectBody(req.body);
    // A body of only {"version": v} rolls the app back to that version.
    if (Object.keys(body).length === 1 && typeof body.version === 'string') {
      const { ref, app: a } = await existing(ctx, t.id);
      const v = versionsOf(a).find((x) => x.version === body.version);
      if (!v)
        throw new MarathonHttpError(
          404,
          `App '${ref.id}' does not exist in version ${body.version.slice(0, 64)}`,
        );
      const out = await writeApp(ctx.store, ref, v.spec, {
        expect: 'present',
        annotations: requestedBy(req),
        now: ctx.core.clock.now(),
        force: flag(queryOf(req), 'force'),
      });
      postEvent(ctx, req, out);
      return { deploymentId: out.deploymentId, version: out.version };
    }
    if (typeof body.id === 'string' && readRef(ctx, body.id).id !== readRef(ctx, t.id).id)
      throw new MarathonHttpError(422, 'Object is not valid', [
        {
          path: '/id',
          errors: ['the id in the body differs from the id in the path (apps cannot be renamed)'],
        },
      ]);
    const q = queryOf(req);
    const out = await putApp(
      ctx,
      req,
      t.id,
      body,
      partial || flag(q, 'partialUpdate', true),
      partial ? 'present' : 'any',
    );
    return { deploymentId: out.deploymentId, version: out.version };
  };
  app.put('/v2/apps/*', { config }, update(false));
  app.patch('/v2/apps/*', { config }, update(true));

  app.delete('/v2/apps/*', { config }, async (req) => {
    const t = targetOfReq(req);
    const force = flag(queryOf(req), 'force');
    if (t.kind === 'task') {
      if (flag(queryOf(req), 'wipe'))
        throw new MarathonHttpError(422, 'wipe is not supported: Mezzo has no resident tasks');
      // The task must be one of the app the path names, as in Marathon.
      const task = ctx.core.tasks.get(t.taskId);
      const owner = task && appIdOfTask(task, ctx.appNamespace);
      const r = appRefOf(ctx.appNamespace, t.id);
      if (!owner || !r.ok || owner !== r.ref.id)
        throw new MarathonHttpError(404, `Task '${t.taskId.slice(0, 253)}' does not exist`);
      return killAnswer(await killTasks(ctx, req, [t.taskId]), true);
    }
    const { ref, app: a } = await existing(ctx, t.id);
    if (t.kind === 'tasks') {
      // `host=`: only the tasks on that agent.
      const host = oneParam(queryOf(req), 'host');
      const ids = appTasks(ctx.core, ref.namespace, ref.name)
        .filter((x) => host === undefined || ctx.core.agents.get(x.agentId)?.info.hostname === host)
        .map((x) => x.id);
      return killAnswer(await killTasks(ctx, req, ids), false);
    }
    if ((a.status as { deployment?: unknown } | undefined)?.deployment !== undefined && !force)
      throw new MarathonHttpError(
        409,
        `App is locked by one or more deployments. Override with the option '?force=true'.`,
      );
    await ctx.store.delete('App', ref.name, ref.namespace);
    return {
      deploymentId: deploymentIdOf(a),
      version: new Date(ctx.core.clock.now()).toISOString(),
    };
  });

  app.post('/v2/apps/*', { config }, async (req) => {
    const t = targetOfReq(req);
    const { ref, app: a } = await existing(ctx, t.id);
    // A restart is a new version of the same definition: every instance is replaced
    // under the upgrade strategy.
    const labels = {
      ...(a.spec.labels as Record<string, string> | undefined),
      [RESTART_LABEL]: new Date(ctx.core.clock.now()).toISOString(),
    };
    const out = await writeApp(
      ctx.store,
      ref,
      { ...a.spec, labels },
      {
        expect: 'present',
        annotations: requestedBy(req),
        now: ctx.core.clock.now(),
        force: flag(queryOf(req), 'force'),
      },
    );
    postEvent(ctx, req, out);
    return { deploymentId: out.deploymentId, version: out.version };
  });
}
