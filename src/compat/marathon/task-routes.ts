/**
 * `/v2/tasks`: every live task of the Marathon API's apps (`?status=running|staging|...`),
 * and `POST /v2/tasks/delete` (`{"ids": [...]}`, `?scale=true`) to kill some.
 */
import type { FastifyInstance } from 'fastify';
import { isTerminal } from '../../controller/records.js';
import { appIdOfTask, taskJson } from './app-view.js';
import { appRefOf } from './app-id.js';
import { MarathonHttpError } from './errors.js';
import { killTasks } from './kill.js';
import { currentVersion } from './versions.js';
import {
  flag,
  killTask,
  listTasks,
  onApps,
  oneParam,
  queryOf,
  type MarathonContext,
} from './request.js';

/** The most task IDs one kill request takes. */
export const MAX_KILL_IDS = 1000;

const STATES: Readonly<Record<string, readonly string[]>> = {
  running: ['TASK_RUNNING'],
  staging: ['TASK_STAGING', 'TASK_STARTING'],
  killing: ['TASK_KILLING'],
  unreachable: ['TASK_UNREACHABLE'],
};

/** Registers the /v2/tasks routes. */
export function taskRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  app.get(
    '/v2/tasks',
    { config: { access: () => [onApps(ctx, 'list'), listTasks(ctx)] } },
    async (req) => {
      const status = oneParam(queryOf(req), 'status');
      const wanted = status === undefined ? undefined : STATES[status];
      if (status !== undefined && !wanted)
        throw new MarathonHttpError(400, `status must be one of ${Object.keys(STATES).join(', ')}`);
      const versions = new Map<string, string>();
      for (const a of await ctx.store.list('App'))
        if (a.metadata.namespace === ctx.appNamespace)
          versions.set(a.metadata.name, currentVersion(a));
      const tasks = [...ctx.core.tasks.values()].flatMap((t) => {
        const appId = appIdOfTask(t, ctx.appNamespace);
        if (!appId || (wanted && !wanted.includes(t.state))) return [];
        if (isTerminal(t.state)) return [];
        const r = appRefOf(ctx.appNamespace, appId);
        return [taskJson(ctx.core, t, appId, r.ok ? (versions.get(r.ref.name) ?? '') : '')];
      });
      return { tasks };
    },
  );

  app.post<{ Body: { ids: string[] } }>(
    '/v2/tasks/delete',
    {
      schema: {
        body: {
          type: 'object',
          required: ['ids'],
          additionalProperties: false,
          properties: {
            ids: {
              type: 'array',
              maxItems: MAX_KILL_IDS,
              items: { type: 'string', minLength: 1, maxLength: 253 },
            },
          },
        },
      },
      config: {
        access: (req) => {
          const ids = (req.body as { ids: string[] }).ids;
          const scale = flag(queryOf(req), 'scale');
          const apps = new Set(
            ids.flatMap((id) => {
              const t = ctx.core.tasks.get(id);
              const appId = t && appIdOfTask(t, ctx.appNamespace);
              const r = appId ? appRefOf(ctx.appNamespace, appId) : undefined;
              return r?.ok ? [r.ref.name] : [];
            }),
          );
          return [
            ...ids.map((id) => killTask(ctx, id)),
            ...(scale ? [...apps].map((name) => onApps(ctx, 'update', name)) : []),
          ];
        },
      },
    },
    async (req) => {
      const out = await killTasks(ctx, req, req.body.ids);
      if (out.scaled) {
        const first = out.outcomes[0];
        return { deploymentId: first?.deploymentId ?? '', version: first?.version ?? '' };
      }
      return { tasks: out.tasks };
    },
  );
}
