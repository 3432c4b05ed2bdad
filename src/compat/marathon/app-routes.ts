/**
 * `/v2/apps`: list (with `?id=`, `?label=`, `?cmd=` filters and `?embed=apps.tasks`),
 * create (POST), and create-or-update many (PUT, PATCH). One app's routes are in
 * app-item-routes.ts. Every write asks what `/apply` asks: `create` or `update` on the App.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessRequest } from '../../auth/types.js';
import { requestedBy } from '../../controller/http/requested-by.js';
import type { StoredObject } from '../../store/types.js';
import { appRefOf, marathonIdOf } from './app-id.js';
import { appInfo } from './app-view.js';
import {
  mergeSpec,
  objectBody,
  refOrRefuse,
  specOrRefuse,
  writeApp,
  type WriteOutcome,
} from './app-writes.js';
import { marathonDefinition } from './app-definition.js';
import { appSpecOf } from './app-view.js';
import { appNotFound, MarathonHttpError } from './errors.js';
import {
  clientIp,
  flag,
  listParam,
  listTasks,
  onApps,
  oneParam,
  queryOf,
  type MarathonContext,
} from './request.js';

/** The most apps one PUT/PATCH /v2/apps takes. */
export const MAX_BULK_APPS = 100;

/** The largest bulk body: 100 definitions of up to 20 KiB. */
export const BULK_BODY_LIMIT = 2 * 1024 * 1024;

const EMBEDS = new Set([
  'apps.tasks',
  'app.tasks',
  'apps.counts',
  'app.counts',
  'apps.deployments',
  'app.deployments',
  'apps.lastTaskFailure',
  'app.lastTaskFailure',
  'apps.failures',
  'app.failures',
  'apps.taskStats',
  'app.taskStats',
  'apps.readiness',
  'app.readiness',
]);

/** Whether `?embed=` asks for tasks; an embed Marathon does not define is a 400. */
export function embedsTasks(req: FastifyRequest): boolean {
  const embeds = listParam(queryOf(req), 'embed');
  for (const e of embeds)
    if (!EMBEDS.has(e)) throw new MarathonHttpError(400, `unknown embed "${e.slice(0, 64)}"`);
  return embeds.some((e) => e.endsWith('.tasks'));
}

/** Marathon's label selector: `key`, `key==value`, `key!=value`, comma-separated (all must hold). */
function labelMatcher(selector: string): (labels: Record<string, string>) => boolean {
  const terms = selector.split(',').map((t) => {
    const m = /^\s*([^=!\s]+)\s*(==|!=)?\s*(.*?)\s*$/.exec(t);
    if (!m) throw new MarathonHttpError(400, `invalid label selector "${t.slice(0, 64)}"`);
    return { key: m[1] ?? '', op: m[2], value: m[3] ?? '' };
  });
  return (labels) =>
    terms.every(({ key, op, value }) =>
      op === '==' ? labels[key] === value : op === '!=' ? labels[key] !== value : key in labels,
    );
}

/** Apps of the Marathon namespace, filtered as GET /v2/apps asks. */
async function listed(ctx: MarathonContext, req: FastifyRequest): Promise<StoredObject[]> {
  const q = queryOf(req);
  const id = oneParam(q, 'id');
  const label = oneParam(q, 'label');
  const cmd = oneParam(q, 'cmd');
  const match = label !== undefined ? labelMatcher(label) : undefined;
  return (await ctx.store.list('App')).filter((a) => {
    if (a.metadata.namespace !== ctx.appNamespace) return false;
    const spec = appSpecOf(a);
    if (id !== undefined && !marathonIdOf(a.metadata.name).includes(id)) return false;
    if (cmd !== undefined && !(spec.command ?? '').includes(cmd)) return false;
    return !match || match(spec.labels ?? {});
  });
}

/** The questions a write of one app definition asks: update when it exists, else create. */
export async function writeQuestion(
  ctx: MarathonContext,
  id: unknown,
  verbWhenPresent = 'update',
): Promise<AccessRequest> {
  const r = typeof id === 'string' ? appRefOf(ctx.appNamespace, id) : undefined;
  // An id that names no App is refused by the handler; the question is then the namespace's.
  if (!r?.ok) return onApps(ctx, 'create');
  const exists = await ctx.store.get('App', r.ref.name, ctx.appNamespace);
  return onApps(ctx, exists ? verbWhenPresent : 'create', r.ref.name);
}

/** Tells the event bus about a write through the API. */
export function postEvent(ctx: MarathonContext, req: FastifyRequest, out: WriteOutcome): void {
  ctx.events.emit('api_post_event', {
    clientIp: clientIp(req),
    uri: req.url.split('?', 1)[0] ?? '',
    appDefinition: {
      id: marathonIdOf(out.app.metadata.name),
      ...marathonDefinition(appSpecOf(out.app)),
    },
  });
}

/** PUT/PATCH of one definition in a bulk or single request: create or (partially) update. */
export async function putApp(
  ctx: MarathonContext,
  req: FastifyRequest,
  id: string,
  body: Record<string, unknown>,
  partial: boolean,
  expect: 'present' | 'any',
  dryRun = false,
): Promise<WriteOutcome> {
  const ref = refOrRefuse(ctx.appNamespace, id);
  const cur = await ctx.store.get('App', ref.name, ref.namespace);
  if (!cur && expect === 'present') throw appNotFound(ref.id);
  const { id: _id, ...rest } = body;
  const given = specOrRefuse(rest, partial && cur !== undefined);
  const spec = partial && cur ? mergeSpec(cur.spec, given) : given;
  const out = await writeApp(ctx.store, ref, spec, {
    expect,
    annotations: requestedBy(req),
    now: ctx.core.clock.now(),
    force: flag(queryOf(req), 'force'),
    dryRun,
  });
  if (!dryRun) postEvent(ctx, req, out);
  return out;
}

async function bulk(
  ctx: MarathonContext,
  req: FastifyRequest,
  reply: FastifyReply,
  partialDefault: boolean,
) {
  const apps = req.body as Record<string, unknown>[];
  const partial = flag(queryOf(req), 'partialUpdate', partialDefault);
  // Every definition is checked before any is written: a bad one changes nothing.
  for (const [i, a] of apps.entries()) {
    refOrRefuse(ctx.appNamespace, a.id, `(${i})/id`);
    await putApp(ctx, req, String(a.id), a, partial, 'any', true);
  }
  const outs: WriteOutcome[] = [];
  for (const a of apps) outs.push(await putApp(ctx, req, String(a.id), a, partial, 'any'));
  const first = outs[0];
  return reply
    .code(200)
    .send({ deploymentId: first?.deploymentId ?? '', version: first?.version ?? '' });
}

const BULK_SCHEMA = {
  body: { type: 'array', minItems: 1, maxItems: MAX_BULK_APPS, items: { type: 'object' } },
} as const;

/** Registers the /v2/apps collection routes. */
export function appCollectionRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  app.get(
    '/v2/apps',
    {
      config: {
        access: (req) =>
          embedsTasks(req) ? [onApps(ctx, 'list'), listTasks(ctx)] : onApps(ctx, 'list'),
      },
    },
    async (req) => {
      const withTasks = embedsTasks(req);
      const apps = await listed(ctx, req);
      return { apps: apps.map((a) => appInfo(ctx.core, a, { withTasks })) };
    },
  );

  app.post(
    '/v2/apps',
    {
      config: {
        access: (req) =>
          onApps(ctx, 'create', appNameOf(ctx, (req.body as { id?: unknown } | undefined)?.id)),
      },
    },
    async (req, reply) => {
      const body = objectBody(req.body);
      const ref = refOrRefuse(ctx.appNamespace, body.id);
      const { id: _id, ...rest } = body;
      const out = await writeApp(ctx.store, ref, specOrRefuse(rest), {
        expect: 'absent',
        annotations: requestedBy(req),
        now: ctx.core.clock.now(),
      });
      postEvent(ctx, req, out);
      return reply
        .code(201)
        .header('location', `/v2/apps${ref.id}`)
        .send(appInfo(ctx.core, out.app, { withTasks: false }));
    },
  );

  const bulkAccess = (req: FastifyRequest, verb: string) =>
    Promise.all((req.body as { id?: unknown }[]).map((a) => writeQuestion(ctx, a.id, verb)));
  app.put(
    '/v2/apps',
    {
      schema: BULK_SCHEMA,
      bodyLimit: BULK_BODY_LIMIT,
      config: { access: (req) => bulkAccess(req, 'update') },
    },
    (req, reply) => bulk(ctx, req, reply, true),
  );
  app.patch(
    '/v2/apps',
    {
      schema: BULK_SCHEMA,
      bodyLimit: BULK_BODY_LIMIT,
      config: { access: (req) => bulkAccess(req, 'patch') },
    },
    (req, reply) => bulk(ctx, req, reply, true),
  );
}

/** The App name a body's id maps to, when it maps. */
function appNameOf(ctx: MarathonContext, id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const r = appRefOf(ctx.appNamespace, id);
  return r.ok ? r.ref.name : undefined;
}
