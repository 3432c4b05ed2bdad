/**
 * One round of offers for the default framework. Every waiting Task object, oldest
 * first, is placed on the offers of the round through the SDK's OfferMatcher, as many as
 * fit: spread (each task on the least-loaded agent that fits it, counting what this round
 * already placed, so a round fills the agents evenly) or bin-packed (each task on the
 * first offer that fits it). The whole plan is made before anything is awaited, and each
 * task is recorded as live as it is planned, so a delete that races its launch finds it.
 * Then every offer is answered at once: a launch on it, or a decline with a filter
 * (offers with nothing on them in one call) — or, for a framework that holds its offers
 * between rounds (`held`), a launch on it or nothing: what a round leaves unused stays the
 * framework's, for the objects that come next. Nothing is written to the store first: a
 * launch costs the apiserver no request of its own (see docs/performance.md, "Requests
 * per task"). A failed launch never leaves its offer held, and never stops the others.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Logger } from '../../shared/logger.js';
import { OfferMatcher } from '../../sdk/offers.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { launch } from '../../sdk/tasks.js';
import type { StoredObject } from '../../store/types.js';
import { TASK_OBJECT_LABEL, TASK_OBJECT_UID_LABEL } from '../../controller/task-mirror.js';
import { newTaskId, type TaskBook } from './task-book.js';
import { taskInfo, taskNeeds, type TaskSpec } from './task-spec.js';
import type { TaskNeeds } from '../../sdk/offers.js';

/** The offers of a framework that holds them between rounds (see offer-pool.ts). */
export interface HeldOffers {
  /** The offer's matcher, kept across rounds: only a launch takes from it. */
  matcherOf(offer: Offer__Output): OfferMatcher;
  /** Offers the round launches on: no longer held (called before anything is awaited). */
  used(ids: string[]): void;
}

/** A Task object waiting for an offer. */
export interface Waiting {
  key: string;
  obj: StoredObject;
  spec: TaskSpec;
}

/** What a round needs from the framework. */
export interface PlacingDeps {
  /** The calls a round makes (the framework's SchedulerClient). */
  client: Pick<SchedulerClient, 'accept' | 'decline' | 'revive'>;
  book: TaskBook;
  policy: 'Spread' | 'BinPack';
  /**
   * Agents offered lately, this round's included: while some are missing from a round,
   * Spread places no more on one agent than its share of everything live and waiting
   * over them, so that tasks wait a moment for the other offers rather than pile onto
   * the first.
   */
  agentsKnown?: number;
  /**
   * When each agent last got a task (a sequence number, kept by the framework across
   * rounds): Spread breaks load ties by it, so that rounds of one task each still take
   * turns over equally loaded agents.
   */
  lastPlaced?: Map<string, number>;
  logger: Logger;
  /** Objects waiting now. */
  waiting(): Waiting[];
  /** The object is being placed: no longer waiting. */
  claim(key: string): void;
  /** Its launch did not happen: waiting again (if the object still wants it). */
  release(w: Waiting): void;
  /** The tasks for these objects were accepted by the controller. */
  launched(keys: string[]): void;
  /**
   * The round's offers are held by the framework: unused ones are not declined, and a
   * launch refuses nothing, so what it leaves of the agent is offered again at once.
   */
  held?: HeldOffers;
}

/** Decline filter while tasks wait: offers come back soon. */
export const RETRY_REFUSE_SECONDS = 1;
/** Decline filter when nothing waits (offers are suppressed meanwhile anyway). */
export const IDLE_REFUSE_SECONDS = 5;

interface Chosen {
  w: Waiting;
  id: string;
  info: TaskInfo;
}

/** One offer of the round: what is left of it, and what goes on it. */
interface Slot {
  offer: Offer__Output;
  matcher: OfferMatcher;
  /** Live tasks on its agent, this round's included (Spread's key). */
  load: number;
  chosen: Chosen[];
}

/** Places what waits on `offers`; resolves when every offer has been answered. */
export async function placeTasks(offers: Offer__Output[], d: PlacingDeps): Promise<void> {
  // RFC 3339 times of one format order as plain strings (localeCompare asks ICU).
  const created = (w: Waiting) => w.obj.metadata.creationTimestamp ?? '';
  const waiting = d.waiting().sort((a, b) => {
    const x = created(a);
    const y = created(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const slots = plan(offers, waiting, d);
  const launches: Promise<number>[] = [];
  const used = slots.filter((s) => s.chosen.length > 0);
  if (d.held) {
    d.held.used(used.map((s) => s.offer.id));
  } else {
    // Offers with nothing on them are declined at once, in one call.
    const empty = slots.filter((s) => s.chosen.length === 0).map((s) => s.offer.id);
    if (empty.length > 0) launches.push(decline(empty, d));
  }
  for (const s of used) launches.push(accept(s.offer, s.chosen, d));
  const placed = (await Promise.all(launches)).reduce((a, b) => a + b, 0);
  // What still waits came in during the round, or did not fit what was offered: ask for
  // the next round now rather than after the filters and the next periodic pass.
  if (placed > 0 && d.waiting().length > 0) await d.client.revive();
}

/**
 * Plans the round without awaiting anything: each waiting task on one slot (or none),
 * claimed and recorded as live at once. A task whose planning throws stays waiting.
 */
function plan(offers: Offer__Output[], waiting: Waiting[], d: PlacingDeps): Slot[] {
  const slots: Slot[] = offers.map((offer) => ({
    offer,
    matcher: d.held ? d.held.matcherOf(offer) : new OfferMatcher(offer),
    load: d.book.load(offer.agent_id),
    chosen: [],
  }));
  // Spread keeps `order` sorted by load (stable: offer order breaks ties); BinPack keeps
  // the offers' order, so the first offers fill up before the next are touched.
  let sequence = d.lastPlaced ? maxOf(d.lastPlaced) : 0;
  const turn = (s: Slot) => d.lastPlaced?.get(s.offer.agent_id) ?? -1;
  const order =
    d.policy === 'BinPack'
      ? [...slots]
      : [...slots].sort((a, b) => a.load - b.load || turn(a) - turn(b));
  // Spread, while agents offered lately are missing from this round (their offers come in
  // another event): no agent here gets more than its share. Only then — with every agent
  // in the round, least-loaded-first spreads by itself, and a cap could strand tasks that
  // fit on one agent only; an agent never offered again drops out of the count.
  const offered = new Set(offers.map((o) => o.agent_id)).size;
  const known = Math.max(d.agentsKnown ?? 0, offered);
  const share =
    d.policy === 'BinPack' || known <= offered
      ? Infinity
      : Math.ceil((d.book.size + waiting.length) / known);
  // Within a round the slots only lose resources and gain load, so a shape that fitted
  // nowhere fits nowhere for the rest of it: later tasks of that shape are not tried on
  // every slot again (5,000 waiting on 1,000 offers with room for 2,000 took 13.6 s a
  // round, bench/default-framework). Tasks with constraints are always tried: whether
  // they fit depends on what the round placed where, not only on what is left.
  const nowhere = new Set<string>();
  for (const w of waiting) {
    if (d.book.taskOf(w.key)) continue;
    try {
      const needs = taskNeeds(w.spec);
      const shape = needs.constraints?.length ? undefined : shapeOf(needs);
      if (shape !== undefined && nowhere.has(shape)) continue;
      let placed = false;
      for (let i = 0; i < order.length; i++) {
        const s = order[i];
        if (!s) continue;
        // Sorted by load: when this slot has its share, so have the rest.
        if (s.load >= share) break;
        const fit = s.matcher.take(needs);
        if (!fit.ok) continue;
        const { name, namespace, uid } = w.obj.metadata;
        const id = newTaskId(namespace ?? 'default', name, uid);
        const info = taskInfo(name, w.spec, id, s.offer.agent_id, fit);
        info.labels = {
          ...info.labels,
          [TASK_OBJECT_LABEL]: w.key,
          ...(uid ? { [TASK_OBJECT_UID_LABEL]: uid } : {}),
        };
        d.claim(w.key);
        d.book.track({ taskId: id, key: w.key, agentId: s.offer.agent_id });
        s.chosen.push({ w, id, info });
        s.load++;
        d.lastPlaced?.set(s.offer.agent_id, ++sequence);
        if (d.policy !== 'BinPack') resort(order, i);
        placed = true;
        break;
      }
      if (!placed && shape !== undefined) nowhere.add(shape);
    } catch (err) {
      d.logger.warn('could not place a task', {
        task: w.key,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return slots;
}

// What a task without constraints asks of an offer, as a key: equal keys fit equally.
function shapeOf(n: TaskNeeds): string {
  return JSON.stringify([n.cpus, n.mem, n.disk ?? null, n.gpus ?? 0, n.ports ?? 0]);
}

// The slot at `i` gained one task: move it right past the slots with a lower or equal load.
function resort(order: Slot[], i: number): void {
  const s = order[i];
  if (!s) return;
  let j = i;
  while (j + 1 < order.length && (order[j + 1]?.load ?? Infinity) < s.load + 0.5) {
    order[j] = order[j + 1] as Slot;
    j++;
  }
  order[j] = s;
}

// Launches `go` on the offer; resolves with how many were launched (0 on a refusal).
async function accept(offer: Offer__Output, go: Chosen[], d: PlacingDeps): Promise<number> {
  try {
    // A rejected accept is declined by the client before it rejects.
    const refuse = d.held ? 0 : RETRY_REFUSE_SECONDS;
    await d.client.accept([offer.id], [launch(...go.map((c) => c.info))], refuse);
  } catch (err) {
    for (const c of go) unplace(c, d);
    d.logger.warn('launching tasks failed', {
      agent: offer.hostname,
      error: err instanceof Error ? err.message : String(err),
    });
    return 0;
  }
  d.logger.info('launched tasks', { agent: offer.hostname, tasks: go.length });
  d.launched(go.map((c) => c.w.key));
  return go.length;
}

// Declines `ids` with a short filter while tasks still wait, a longer one otherwise.
function decline(ids: string[], d: PlacingDeps): Promise<number> {
  const left = d.waiting().length > 0;
  return d.client
    .decline(ids, left ? RETRY_REFUSE_SECONDS : IDLE_REFUSE_SECONDS)
    .then(() => 0)
    .catch((err: unknown) => {
      d.logger.warn('declining offers failed', {
        offers: ids.length,
        error: err instanceof Error ? err.message : String(err),
      });
      return 0;
    });
}

function unplace(c: Chosen, d: PlacingDeps): void {
  d.book.forget(c.id);
  d.release(c.w);
}

function maxOf(m: Map<string, number>): number {
  let max = 0;
  for (const v of m.values()) if (v > max) max = v;
  return max;
}
