/**
 * One round of offers for the apps framework: the apps whose launches are due, in a
 * rotating order (so no app starves another), placed by {@link placeAll}; every launch
 * recorded in the instance view before anything is awaited (so no reconcile pass in
 * between plans the same instances again); then every offer answered on its own — a
 * launch, or a decline with a filter — so that a failure on one never leaves it, or any
 * other offer, held.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Logger } from '../../shared/logger.js';
import { OfferMatcher } from '../../sdk/offers.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { launch } from '../../sdk/tasks.js';
import { instanceTask, newTaskId } from './app-spec.js';
import type { InstanceTracker } from './instances.js';
import { placeAll } from './placement.js';
import type { AppRuntime, ReadyDemand } from './reconciler.js';

/** Decline filter while instances wait unplaced: offers come back this soon. */
const RETRY_REFUSE_SECONDS = 1;
/** Decline filter when nothing waits (offers are suppressed meanwhile anyway). */
const IDLE_REFUSE_SECONDS = 5;

/** What a round needs from the framework. */
export interface OfferRoundDeps {
  client: SchedulerClient;
  tracker: InstanceTracker;
  logger: Logger;
  now: number;
  /** Demands due now, in the order to serve them. */
  ready: ReadyDemand[];
  runtime(app: string): AppRuntime;
  knownValues(field: string): string[];
  /** The app needs a reconcile pass (its placement or instances changed). */
  requeue(app: string): void;
}

/** Places what is due on `offers`; resolves once every offer has been answered. */
export async function offerRound(offers: Offer__Output[], d: OfferRoundDeps): Promise<void> {
  const answered = new Set<string>();
  const answer = async (id: string, act: () => Promise<void>) => {
    answered.add(id);
    await act();
  };
  try {
    await place(offers, d, answer);
  } finally {
    // Whatever went wrong above, no offer stays in our hands.
    const left = offers.filter((o) => !answered.has(o.id)).map((o) => o.id);
    if (left.length > 0) await d.client.decline(left, RETRY_REFUSE_SECONDS).catch(() => undefined);
  }
}

async function place(
  offers: Offer__Output[],
  d: OfferRoundDeps,
  answer: (offerId: string, act: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const matchers = offers.map((o) => new OfferMatcher(o));
  const result = placeAll(
    matchers,
    d.ready.map((r) => ({
      app: r.app,
      count: r.count,
      needs: r.needs,
      role: r.role,
      placed: r.placed,
    })),
    (f) => d.knownValues(f),
  );
  const perOffer = new Map<OfferMatcher, { app: string; taskId: string; info: TaskInfo }[]>();
  for (const p of result.placements) {
    const demand = d.runtime(p.app).demand;
    if (!demand) continue;
    const taskId = newTaskId(demand.ref, demand.version);
    const info = instanceTask(demand.ref, demand.spec, taskId, p.matcher.offer.agent_id, p.fit);
    d.tracker.launched({
      taskId,
      app: p.app,
      version: demand.version,
      agentId: p.matcher.offer.agent_id,
      agent: p.matcher.agent,
      launchedAt: d.now,
    });
    demand.count--;
    demand.placed.push(p.matcher.agent);
    const list = perOffer.get(p.matcher) ?? [];
    list.push({ app: p.app, taskId, info });
    perOffer.set(p.matcher, list);
  }
  for (const r of d.ready) {
    const rt = d.runtime(r.app);
    const before = rt.unplaced;
    rt.unplaced = result.unplaced.get(r.app);
    if (before?.count !== rt.unplaced?.count || before?.reason !== rt.unplaced?.reason) {
      d.requeue(r.app);
    }
  }
  const waiting = result.unplaced.size > 0;
  await Promise.all(
    matchers.map((m) =>
      answer(m.offer.id, async () => {
        const launches = perOffer.get(m);
        if (!launches) {
          await d.client.decline(
            [m.offer.id],
            waiting ? RETRY_REFUSE_SECONDS : IDLE_REFUSE_SECONDS,
          );
          return;
        }
        try {
          // A rejected accept is declined by the client before it rejects.
          await d.client.accept([m.offer.id], [launch(...launches.map((l) => l.info))], 1);
          d.logger.info('launched instances', {
            agent: m.agent.hostname,
            instances: launches.length,
          });
        } catch (err) {
          // The launch never reached the controller: forget it, plan it again.
          for (const l of launches) d.tracker.forget(l.taskId);
          d.logger.warn('launching instances failed', {
            error: err instanceof Error ? err.message : String(err),
          });
        }
        for (const l of launches) d.requeue(l.app);
      }),
    ),
  );
}
