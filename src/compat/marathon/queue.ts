/**
 * `/v2/queue`: apps with instances waiting to launch, and why. Marathon summarises the
 * offers it turned down per reason; Mezzo's apps framework records, per App, how many
 * instances it could not place and each agent's reason (`status.unplaced`,
 * `status.unplacedReason`) and how long the restart backoff holds launches
 * (`status.launchDelayedUntil`). Those reasons are sorted into Marathon's reject reasons
 * here.
 */
import type { FastifyInstance } from 'fastify';
import type { AppStatus } from '../../frameworks/apps/status.js';
import type { StoredObject } from '../../store/types.js';
import { appInfo, appSpecOf, appTasks } from './app-view.js';
import { MarathonHttpError } from './errors.js';
import { listParam, onApps, queryOf, type MarathonContext } from './request.js';

/** Marathon's reject reasons, in its order. */
export const REJECT_REASONS = [
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'AgentMaintenance',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
  'DeclinedScarceResources',
] as const;

const CONSTRAINT = /:(UNIQUE|CLUSTER|GROUP_BY|LIKE|UNLIKE|MAX_PER|EQUALS)\b/;

function amount(text: string, key: string): number | undefined {
  const m = new RegExp(`\\b${key}:([0-9.]+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The reject reasons of one agent's line of `unplacedReason`. */
export function rejectReasons(line: string): string[] {
  if (/offered to role/.test(line)) return ['UnfulfilledRole'];
  if (CONSTRAINT.test(line)) return ['UnfulfilledConstraint'];
  if (/lacks the host ports/.test(line)) return ['InsufficientPorts'];
  const m = /has (.*) left, the task needs (.*)$/.exec(line);
  if (m) {
    const left = m[1] ?? '';
    const needs = m[2] ?? '';
    const short = (key: string) => (amount(needs, key) ?? 0) > (amount(left, key) ?? 0);
    const out = [
      ...(short('cpus') ? ['InsufficientCpus'] : []),
      ...(short('mem') ? ['InsufficientMemory'] : []),
      ...(short('disk') ? ['InsufficientDisk'] : []),
    ];
    return out.length > 0 ? out : ['InsufficientCpus'];
  }
  return ['UnfulfilledConstraint'];
}

/** Marathon's processedOffersSummary from an App's status. */
export function offersSummary(status: Partial<AppStatus> | undefined): Record<string, unknown> {
  const reason = status?.unplacedReason;
  const lines = reason && reason !== 'no offers' ? reason.split('; ') : [];
  const counts = new Map<string, number>();
  for (const l of lines) for (const r of rejectReasons(l)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const summary = REJECT_REASONS.map((r) => ({
    reason: r,
    declined: counts.get(r) ?? 0,
    processed: lines.length,
  }));
  return {
    processedOffersCount: lines.length,
    unusedOffersCount: lines.length,
    rejectSummaryLastOffers: summary,
    rejectSummaryLaunchAttempt: summary,
  };
}

function queueItem(
  ctx: MarathonContext,
  app: StoredObject,
  withOffers: boolean,
): Record<string, unknown> | undefined {
  const { namespace = '', name } = app.metadata;
  const status = app.status as Partial<AppStatus> | undefined;
  const desired = appSpecOf(app).instances ?? 1;
  const live = appTasks(ctx.core, namespace, name).length;
  const now = ctx.core.clock.now();
  const delayedUntil = status?.launchDelayedUntil ? Date.parse(status.launchDelayedUntil) : NaN;
  const delayLeft = Number.isFinite(delayedUntil)
    ? Math.max(0, Math.ceil((delayedUntil - now) / 1000))
    : 0;
  const count = Math.max(status?.unplaced ?? 0, desired - live);
  if (count <= 0 && delayLeft === 0) return undefined;
  const since = app.metadata.creationTimestamp ?? new Date(now).toISOString();
  return {
    app: appInfo(ctx.core, app, { withTasks: false }),
    count,
    delay: { timeLeftSeconds: delayLeft, overdue: false },
    since,
    overdue: false,
    processedOffersSummary: offersSummary(status),
    ...(withOffers
      ? {
          lastUnusedOffers: (status?.unplacedReason ?? '')
            .split('; ')
            .filter((l) => l !== '' && l !== 'no offers')
            .map((l) => ({ reason: rejectReasons(l), message: l })),
        }
      : {}),
  };
}

/** Registers GET /v2/queue. */
export function queueRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  app.get('/v2/queue', { config: { access: () => onApps(ctx, 'list') } }, async (req) => {
    const embeds = listParam(queryOf(req), 'embed');
    for (const e of embeds)
      if (e !== 'lastUnusedOffers')
        throw new MarathonHttpError(400, `unknown embed "${e.slice(0, 64)}"`);
    const apps = (await ctx.store.list('App')).filter(
      (a) => a.metadata.namespace === ctx.appNamespace,
    );
    return { queue: apps.flatMap((a) => queueItem(ctx, a, embeds.length > 0) ?? []) };
  });
}
