/**
 * Killing tasks for the Marathon API, as POST /kill does it (the controller's kill, the
 * agent ends the task, the apps framework replaces it), or with `scale=true` by lowering
 * the apps' `instances` by the tasks killed, which lets the framework kill them instead
 * of replacing them. `wipe` (forget a resident task) has no Mezzo meaning and is refused.
 */
import type { FastifyRequest } from 'fastify';
import { requestedBy } from '../../controller/http/requested-by.js';
import type { TaskRecord } from '../../controller/records.js';
import { isTerminal } from '../../controller/records.js';
import { appRefOf } from './app-id.js';
import { appIdOfTask, appSpecOf, taskJson } from './app-view.js';
import { writeApp, type WriteOutcome } from './app-writes.js';
import { MarathonHttpError } from './errors.js';
import { currentVersion } from './versions.js';
import { flag, queryOf, type MarathonContext } from './request.js';

/** What a kill request did. */
export type KillOutcome =
  | { scaled: false; tasks: Record<string, unknown>[] }
  | { scaled: true; outcomes: WriteOutcome[]; tasks: Record<string, unknown>[] };

/** The live Marathon-visible task `id`, with its app id. */
function taskOfApi(
  ctx: MarathonContext,
  id: string,
): { task: TaskRecord; appId: string } | undefined {
  const task = ctx.core.tasks.get(id);
  const appId = task && appIdOfTask(task, ctx.appNamespace);
  if (!task || !appId || isTerminal(task.state)) return undefined;
  return { task, appId };
}

/** Kills tasks by ID; unknown ones are left out (Marathon does the same), none at all is a 404. */
export async function killTasks(
  ctx: MarathonContext,
  req: FastifyRequest,
  ids: readonly string[],
): Promise<KillOutcome> {
  const q = queryOf(req);
  const scale = flag(q, 'scale');
  if (flag(q, 'wipe'))
    throw new MarathonHttpError(422, 'wipe is not supported: Mezzo has no resident tasks');
  const found = ids.flatMap((id) => taskOfApi(ctx, id) ?? []);
  if (found.length === 0 && ids.length > 0)
    throw new MarathonHttpError(404, `Task '${ids[0] ?? ''}' does not exist`);
  const jsonOf = async (t: TaskRecord, appId: string) => {
    const r = appRefOf(ctx.appNamespace, appId);
    const app = r.ok ? await ctx.store.get('App', r.ref.name, r.ref.namespace) : undefined;
    return taskJson(ctx.core, t, appId, app ? currentVersion(app) : '');
  };
  const tasks = await Promise.all(found.map((f) => jsonOf(f.task, f.appId)));
  if (!scale) {
    for (const f of found) ctx.core.killTask(f.task);
    return { scaled: false, tasks };
  }
  // Lower each app by its tasks killed: the framework then kills those, not others.
  const perApp = new Map<string, TaskRecord[]>();
  for (const f of found) perApp.set(f.appId, [...(perApp.get(f.appId) ?? []), f.task]);
  const outcomes: WriteOutcome[] = [];
  for (const [appId, killed] of perApp) {
    const r = appRefOf(ctx.appNamespace, appId);
    if (!r.ok) continue;
    const app = await ctx.store.get('App', r.ref.name, r.ref.namespace);
    if (!app) continue;
    const instances = Math.max(0, (appSpecOf(app).instances ?? 1) - killed.length);
    outcomes.push(
      await writeApp(
        ctx.store,
        r.ref,
        { ...app.spec, instances },
        {
          expect: 'present',
          annotations: requestedBy(req),
          now: ctx.core.clock.now(),
          force: true,
        },
      ),
    );
    // The scale-down picks the youngest; the ones asked for go now.
    for (const t of killed) ctx.core.killTask(t);
  }
  return { scaled: true, outcomes, tasks };
}
