/**
 * One round of offers for the default framework: waiting Task objects, oldest first,
 * placed through the SDK's OfferMatcher — spread (least-loaded agents first, one task per
 * agent per round) or bin-packed. Every offer is answered, each on its own: a launch
 * on it, or a decline with a filter; a failure on one offer never leaves it, or any
 * other, held. A task is recorded as live before anything is awaited, so a delete that
 * races its launch finds it.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Logger } from '../../shared/logger.js';
import { OfferMatcher } from '../../sdk/offers.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { launch } from '../../sdk/tasks.js';
import type { StoredObject } from '../../store/types.js';
import { TASK_OBJECT_LABEL } from '../../controller/controller.js';
import { newTaskId, type TaskBook } from './task-book.js';
import { taskInfo, taskNeeds, type TaskSpec } from './task-spec.js';

/** A Task object waiting for an offer. */
export interface Waiting {
  key: string;
  obj: StoredObject;
  spec: TaskSpec;
}

/** What a round needs from the framework. */
export interface PlacingDeps {
  client: SchedulerClient;
  book: TaskBook;
  policy: 'Spread' | 'BinPack';
  logger: Logger;
  /** Objects waiting now. */
  waiting(): Waiting[];
  /** The object is being placed: no longer waiting. */
  claim(key: string): void;
  /** Its launch did not happen: waiting again (if the object still wants it). */
  release(w: Waiting): void;
  /** Readies the object for a launch (its finalizer); false: it is gone, launch nothing. */
  prepare(w: Waiting): Promise<boolean>;
  /** The tasks for these objects were accepted by the controller. */
  launched(keys: string[]): void;
}

/** Decline filter while tasks wait: offers come back soon. */
const RETRY_REFUSE_SECONDS = 1;
/** Decline filter when nothing waits (offers are suppressed meanwhile anyway). */
const IDLE_REFUSE_SECONDS = 5;

interface Chosen {
  w: Waiting;
  id: string;
  info: TaskInfo;
}

/** Places what waits on `offers`; resolves when every offer has been answered. */
export async function placeTasks(offers: Offer__Output[], d: PlacingDeps): Promise<void> {
  const waiting = d
    .waiting()
    .sort((a, b) =>
      (a.obj.metadata.creationTimestamp ?? '').localeCompare(
        b.obj.metadata.creationTimestamp ?? '',
      ),
    );
  // Spread: least-loaded agents first, and only those at the minimum load this round.
  const minLoad = Math.min(...offers.map((o) => d.book.load(o.agent_id)));
  const ordered =
    d.policy === 'BinPack'
      ? offers
      : [...offers].sort((a, b) => d.book.load(a.agent_id) - d.book.load(b.agent_id));
  let placed = 0;
  for (const offer of ordered) {
    const answered = { done: false };
    try {
      placed += await placeOn(offer, waiting, minLoad, d, answered);
    } catch (err) {
      d.logger.warn('placing on an offer failed', {
        agent: offer.hostname,
        error: err instanceof Error ? err.message : String(err),
      });
      if (!answered.done)
        await d.client.decline([offer.id], RETRY_REFUSE_SECONDS).catch(() => undefined);
    }
  }
  // Spread stops at one task per agent and round: with more waiting, start the next round
  // now instead of after the decline filters and the next allocation pass (about 2 s).
  if (placed > 0 && d.waiting().length > 0) await d.client.revive();
}

async function placeOn(
  offer: Offer__Output,
  waiting: Waiting[],
  minLoad: number,
  d: PlacingDeps,
  answered: { done: boolean },
): Promise<number> {
  const matcher = new OfferMatcher(offer);
  const chosen: Chosen[] = [];
  for (const w of waiting) {
    if (d.book.taskOf(w.key)) continue;
    if (d.policy !== 'BinPack' && d.book.load(offer.agent_id) > minLoad) break;
    const fit = matcher.take(taskNeeds(w.spec));
    if (!fit.ok) continue;
    const id = newTaskId(w.obj.metadata.namespace ?? 'default', w.obj.metadata.name);
    const info = taskInfo(w.obj.metadata.name, w.spec, id, offer.agent_id, fit);
    info.labels = { ...info.labels, [TASK_OBJECT_LABEL]: w.key };
    d.claim(w.key);
    d.book.track({ taskId: id, key: w.key, agentId: offer.agent_id });
    chosen.push({ w, id, info });
  }
  const ready: Chosen[] = [];
  for (const c of chosen) {
    let ok = false;
    try {
      ok = await d.prepare(c.w);
    } catch (err) {
      d.logger.warn('could not prepare a task launch', {
        task: c.w.key,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (ok) ready.push(c);
    else unplace(c, d);
  }
  answered.done = true;
  if (ready.length === 0) {
    const left = d.waiting().length > 0;
    await d.client.decline([offer.id], left ? RETRY_REFUSE_SECONDS : IDLE_REFUSE_SECONDS);
    return 0;
  }
  try {
    // A rejected accept is declined by the client before it rejects.
    await d.client.accept([offer.id], [launch(...ready.map((c) => c.info))], RETRY_REFUSE_SECONDS);
  } catch (err) {
    for (const c of ready) unplace(c, d);
    d.logger.warn('launching tasks failed', {
      agent: offer.hostname,
      error: err instanceof Error ? err.message : String(err),
    });
    return 0;
  }
  d.logger.info('launched tasks', { agent: offer.hostname, tasks: ready.length });
  d.launched(ready.map((c) => c.w.key));
  return ready.length;
}

function unplace(c: Chosen, d: PlacingDeps): void {
  d.book.forget(c.id);
  d.release(c.w);
}
