/**
 * The default framework: a built-in scheduler, a client of the same gRPC API as any
 * other framework, that places Task objects which name no other framework (or name it by
 * its name or its framework ID). It honours each task's resources, ports and attribute
 * constraints, and places everything that fits in each round of offers: spread (each task
 * on the least-loaded agent offered) or bin-packed. It holds the offers a round left
 * unused for a moment (offer-pool.ts), so that objects arriving one after another are
 * placed as they come, without a round of offers each. It restarts nothing: a task that
 * ends stays ended. It asks for offers only while tasks are waiting.
 *
 * Each object is served on its own: a spec it cannot serve gets a Scheduled=False
 * InvalidSpec condition naming the field, and every other object goes on. A delete
 * always wins: a task whose object is deleted (before, during or after its launch), or
 * that no object claims at all (found after a restart, or by reconciliation), is killed.
 * Reconciliation runs after every subscription and periodically, and the Task objects are
 * corrected from its answers.
 */
import type { Logger } from '../../shared/logger.js';
import { SystemClock, type Clock } from '../../shared/clock.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { builtinClient } from '../builtin-client.js';
import type { TaskStatus__Output } from '../../gen/mezzo/v1/TaskStatus.js';
import { objectKey, type Store, type StoredObject, type WatchEvent } from '../../store/types.js';
import { isTerminal } from '../../controller/records.js';
import type { TaskState__Output as TaskState } from '../../gen/mezzo/v1/TaskState.js';
import { frameworkNamed, readTaskSpec, type TaskSpec } from './task-spec.js';
import { isObjectOfTask, objectOfTask, TaskBook } from './task-book.js';
import { statusOf, writeEnded, writeScheduled } from './task-status.js';
import { removeFinalizer } from './finalizer.js';
import { placeTasks, type Waiting } from './placing.js';
import { Rounds } from './rounds.js';

/**
 * How long an agent counts as one Spread may place on after its last offer: a few offer
 * cycles, so that offers arriving in separate events still share the tasks out.
 */
const AGENT_MEMORY_MS = 10_000;

/**
 * How long an offer a round left unused is held for the objects that come next, before
 * it is declined: other frameworks wait for it meanwhile, so no longer than the
 * controller's periodic allocation interval.
 */
export const OFFER_HOLD_MS = 1_000;

export { TASK_FINALIZER } from './finalizer.js';

/** Settings for {@link DefaultFramework}. */
export interface DefaultFrameworkOptions {
  address: string;
  store: Store;
  logger: Logger;
  clock?: Clock;
  policy?: 'Spread' | 'BinPack';
  role?: string;
  /** Framework ID to resubscribe with (kept in the store by callers across restarts). */
  frameworkId?: string;
  /** How often to reconcile with the controller (ms; default 60 s). */
  reconcileIntervalMs?: number;
  /**
   * "Unknown task" answers in a row after which a task counts as lost (default 3): a
   * controller that just restarted may not know a task until its agent re-registers.
   */
  unknownAfter?: number;
  /** How long offers a round left unused are held (ms; default {@link OFFER_HOLD_MS}). */
  offerHoldMs?: number;
}

/** The default framework. */
export class DefaultFramework {
  private readonly client: SchedulerClient;
  private readonly clock: Clock;
  /** Agents offered lately (ID → when): Spread shares a round's tasks out over them. */
  private readonly offeredAgents = new Map<string, number>();
  /** When each agent last got a task (a sequence number): Spread's tie-break. */
  private readonly lastPlaced = new Map<string, number>();
  private readonly book = new TaskBook();
  /** Our Task objects as last seen, by `namespace/name`. */
  private readonly objects = new Map<string, StoredObject>();
  /** Valid objects waiting for an offer, with their read spec. */
  private readonly pending = new Map<string, Waiting>();
  /** Objects whose spec cannot be served: the message their condition shows. */
  private readonly invalid = new Map<string, string>();
  private unwatch: (() => void) | undefined;
  private readonly rounds: Rounds;

  constructor(private readonly opts: DefaultFrameworkOptions) {
    this.clock = opts.clock ?? new SystemClock();
    this.client = builtinClient(
      'default',
      {
        ...opts,
        knownTasks: () => this.knownTasks(),
      },
      [opts.role ?? 'default'],
    );
    this.client.on('update', (status) => {
      this.onUpdate(status).catch((err: unknown) => {
        this.warn('handling a task update failed', err, { task: status.task_id });
      });
    });
    this.rounds = new Rounds({
      clock: this.clock,
      holdMs: opts.offerHoldMs ?? OFFER_HOLD_MS,
      client: this.client,
      waiting: () => this.pending.size,
      place: (offers, held) =>
        placeTasks(offers, {
          agentsKnown: this.offeredAgents.size,
          lastPlaced: this.lastPlaced,
          client: this.client,
          book: this.book,
          policy: opts.policy ?? 'Spread',
          waiting: () => [...this.pending.values()],
          claim: (key) => {
            this.pending.delete(key);
            this.rounds.placed();
          },
          release: (w) => {
            if (this.isLive(w.key)) this.pending.set(w.key, w);
          },
          launched: (keys) => this.afterLaunch(keys),
          logger: opts.logger,
          held,
        }),
      settle: () => this.updateInterest(),
      warn: (what, err, fields) => this.warn(what, err, fields),
    });
    this.client.on('offers', (offers) => {
      const now = this.clock.now();
      for (const o of offers) this.offeredAgents.set(o.agent_id, now);
      for (const [agent, at] of this.offeredAgents) {
        if (now - at <= AGENT_MEMORY_MS) continue;
        this.offeredAgents.delete(agent);
        this.lastPlaced.delete(agent);
      }
      this.rounds.offered(offers);
    });
    // Offers no longer ours: taken back by the controller, or declined by the client.
    this.client.on('rescind', (id) => this.rounds.drop([id]));
    this.client.on('released', (ids) => this.rounds.drop(ids));
    this.client.on('subscribed', () => this.rounds.clear());
  }

  /** The framework ID once subscribed. */
  get id(): string {
    return this.client.id;
  }

  /** Subscribes and starts watching Task objects. */
  async start(): Promise<void> {
    await this.client.start();
    this.unwatch = this.opts.store.watch('Task', (e) => {
      this.onTask(e).catch((err: unknown) => {
        this.warn('handling a Task object failed', err, { task: objectKey(e.object) });
      });
    });
    await this.updateInterest();
  }

  /** Stops (tasks keep running; the framework can resubscribe with its ID). */
  stop(): void {
    this.unwatch?.();
    this.rounds.clear();
    this.client.close();
  }

  private warn(what: string, err: unknown, fields: Record<string, unknown> = {}): void {
    this.opts.logger.warn(what, {
      ...fields,
      error: err instanceof Error ? err.message : String(err),
    });
  }

  // The names this framework answers to in spec.framework.
  private ours(obj: StoredObject): boolean {
    const fw = frameworkNamed(obj.spec);
    return (
      fw === undefined || fw === 'default' || fw === this.client.id || fw === this.opts.frameworkId
    );
  }

  // An object that exists and is not being deleted.
  private isLive(key: string): boolean {
    const obj = this.objects.get(key);
    return obj !== undefined && obj.metadata.deletionTimestamp === undefined;
  }

  private async onTask(e: WatchEvent): Promise<void> {
    const obj = e.object;
    const key = objectKey(obj);
    const status = statusOf(obj);
    if (e.type === 'DELETED' || !this.ours(obj)) {
      const was = this.objects.get(key);
      this.objects.delete(key);
      this.pending.delete(key);
      this.invalid.delete(key);
      // Gone (nothing holds a delete of ours; a mirror object, or a forced delete): its
      // task dies.
      if (e.type === 'DELETED' && was) this.doomObjectTask(key, obj);
      await this.updateInterest();
      return;
    }
    this.objects.set(key, obj);
    if (obj.metadata.deletionTimestamp) {
      this.pending.delete(key);
      await this.finishDeletion(obj);
    } else if (status.state) {
      this.pending.delete(key);
      this.invalid.delete(key);
      // A task the object reports (e.g. after our restart): ours to follow, and to kill.
      const mine = status.frameworkId === undefined || status.frameworkId === this.client.id;
      if (
        mine &&
        status.taskId &&
        isObjectOfTask(status.taskId, obj) &&
        !this.book.taskOf(key) &&
        !isTerminal(status.state as TaskState)
      ) {
        this.book.track({ taskId: status.taskId, key, agentId: status.agentId ?? '' });
      }
    } else if (!this.book.taskOf(key)) {
      await this.serve(key, obj);
    }
    await this.wantOrPlace(key);
  }

  /**
   * After a change of `key`: a waiting object goes to a round on the offers held (which
   * then asks for offers if it could not place everything); any other change only updates
   * whether offers are wanted.
   */
  private async wantOrPlace(key: string): Promise<void> {
    if (this.pending.has(key)) this.rounds.soon();
    else await this.updateInterest();
  }

  // A waiting object: queue it when its spec can be served, say why on it when not.
  private async serve(key: string, obj: StoredObject): Promise<void> {
    const read = readTaskSpec(obj.spec);
    if (!read.ok) {
      this.pending.delete(key);
      if (this.invalid.get(key) === read.problem.message) return;
      this.invalid.set(key, read.problem.message);
      this.opts.logger.warn('task spec cannot be served', {
        task: key,
        problem: read.problem.message,
      });
      await writeScheduled(this.opts.store, obj, read.problem.message, this.clock.now());
      return;
    }
    this.pending.set(key, { key, obj, spec: read.value satisfies TaskSpec });
    if (this.invalid.delete(key))
      await writeScheduled(this.opts.store, obj, undefined, this.clock.now());
  }

  private doomObjectTask(key: string, obj: StoredObject): void {
    const status = statusOf(obj);
    const live = this.book.taskOf(key);
    const id =
      live?.taskId ??
      (status.state && !isTerminal(status.state as TaskState) ? status.taskId : undefined);
    if (id)
      this.kill(id, live?.agentId ?? status.agentId ?? '', `its Task object ${key} was deleted`);
  }

  /**
   * Kills until the task is seen to end. A kill is sent when the task is first doomed and
   * again when `again` (a reconciliation answer shows it still running, or its launch
   * just landed) — never on every event about it, which its own kill causes.
   */
  private kill(taskId: string, agentId: string, why: string, again = false): void {
    const fresh = this.book.doom(taskId, agentId);
    if (fresh) this.opts.logger.info('killing task', { task: taskId, why });
    if (!fresh && !again) return;
    this.client.kill(taskId, agentId).catch((err: unknown) => {
      this.warn('kill failed; the next reconciliation asks again', err, { task: taskId });
    });
  }

  /**
   * A Task object being deleted (another finalizer holds it, or the one an earlier Mezzo
   * put on): kill its task, and let the object go
   * once the task has ended or was never launched. Level-based: called again on every
   * change of the object and when its task ends.
   */
  private async finishDeletion(obj: StoredObject): Promise<void> {
    const key = objectKey(obj);
    const status = statusOf(obj);
    const live = this.book.taskOf(key);
    const running = status.taskId && status.state && !isTerminal(status.state as TaskState);
    if (live || running) {
      this.doomObjectTask(key, obj);
      return;
    }
    await removeFinalizer(this.opts.store, obj);
  }

  // After an accept: a delete that raced the launch kills what it launched.
  private afterLaunch(keys: string[]): void {
    for (const key of keys) {
      const t = this.book.taskOf(key);
      if (t && !this.isLive(key))
        this.kill(t.taskId, t.agentId, `its Task object ${key} went away during the launch`, true);
    }
  }

  private knownTasks() {
    const refs = this.book.refs();
    const seen = new Set(refs.map((r) => r.task_id));
    // Objects that still call a task live, though we hold no record of it (after a
    // restart): ask, so that one the controller has forgotten is corrected.
    for (const obj of this.objects.values()) {
      const s = statusOf(obj);
      if (!s.taskId || !s.state || isTerminal(s.state as TaskState) || seen.has(s.taskId)) continue;
      if (s.frameworkId !== undefined && s.frameworkId !== this.client.id) continue;
      refs.push({ task_id: s.taskId, agent_id: s.agentId ?? '' });
    }
    return refs;
  }

  private async onUpdate(s: TaskStatus__Output): Promise<void> {
    const id = s.task_id;
    const key = this.book.get(id)?.key ?? keyOf(id);
    if (isTerminal(s.state)) {
      this.book.forget(id);
      await this.settle(key, id, s);
      await this.serveFreed(key);
      return;
    }
    if (s.state === 'TASK_UNKNOWN') {
      if (this.book.unknownAnswer(id) < (this.opts.unknownAfter ?? 3)) return;
      // Asked round after round, the controller still does not know it: lost.
      this.book.forget(id);
      await this.settle(key, id, { ...s, state: 'TASK_LOST' });
      return;
    }
    this.book.known(id);
    if (this.book.isDoomed(id)) {
      if (s.reason === 'REASON_RECONCILIATION') this.kill(id, s.agent_id, 'still running', true);
      return;
    }
    const obj = key ? (this.objects.get(key) ?? (await this.fetch(key))) : undefined;
    const claimedBy = obj ? statusOf(obj).taskId : undefined;
    // An object of its name made after it (another uid) is not its own: nothing held the
    // name while it ran, so the one it was launched for was deleted.
    const own = obj !== undefined && isObjectOfTask(id, obj);
    if (!key || !obj || obj.metadata.deletionTimestamp || (claimedBy && claimedBy !== id) || !own) {
      this.kill(
        id,
        s.agent_id,
        obj ? `Task object ${key} serves another task` : 'no Task object claims it',
      );
      return;
    }
    // Ours and wanted: follow it (after a restart this adopts it).
    if (!this.book.get(id)) this.book.track({ taskId: id, key, agentId: s.agent_id });
    this.pending.delete(key);
  }

  // A task ended (or was lost): correct its object if nothing else will, free a delete.
  private async settle(
    key: string | undefined,
    id: string,
    s: Pick<TaskStatus__Output, 'state' | 'message' | 'reason'>,
  ): Promise<void> {
    const obj = key ? this.objects.get(key) : undefined;
    if (!key || !obj) return;
    const status = statusOf(obj);
    if (obj.metadata.deletionTimestamp) {
      await this.finishDeletion(obj);
      return;
    }
    const stale =
      status.taskId === id && status.state !== undefined && !isTerminal(status.state as TaskState);
    if (stale && (s.reason === 'REASON_RECONCILIATION' || s.state === 'TASK_LOST')) {
      const message =
        s.state === 'TASK_LOST'
          ? 'the controller no longer knows this task'
          : s.message || 'reconciled';
      await writeEnded(this.opts.store, obj, s.state, message, this.clock.now());
    }
  }

  /**
   * The task that held `key` ended: an object made again under its name meanwhile (no
   * finalizer holds the name) waited behind it, and is placed now.
   */
  private async serveFreed(key: string | undefined): Promise<void> {
    const obj = key ? this.objects.get(key) : undefined;
    if (!key || !obj || obj.metadata.deletionTimestamp || this.book.taskOf(key)) return;
    if (statusOf(obj).state || this.pending.has(key)) return;
    await this.serve(key, obj);
    await this.wantOrPlace(key);
  }

  private async fetch(key: string): Promise<StoredObject | undefined> {
    const [namespace, name = ''] = key.split('/');
    return this.opts.store.get('Task', name, namespace);
  }

  // Offers only while something waits.
  private async updateInterest(): Promise<void> {
    await this.client.wantOffers(this.pending.size > 0);
  }
}

// The object key a task ID of this framework names.
function keyOf(taskId: string): string | undefined {
  const o = objectOfTask(taskId);
  return o ? `${o.namespace}/${o.name}` : undefined;
}
