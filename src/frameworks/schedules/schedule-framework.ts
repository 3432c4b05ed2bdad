/**
 * The schedules framework (Chronos): runs Schedule objects' commands on their calendars
 * and after their parents, through offers like any framework. Everything it decides is
 * in {@link ScheduleBook}; this class does the I/O, one step at a time on a serial queue:
 * watch events, task updates, offers and timer wake-ups never interleave.
 *
 * Failover: a run is written to the Schedule's status (phase Launching) before its offer
 * is accepted, and its task ID is derived from the run ID, so the controller refuses a
 * second launch of it. A new instance rebuilds from status and asks the controller about
 * each recorded run (explicit reconciliation): unknown and never accepted → launch it;
 * known → follow it; accepted but unknown → wait a few rounds, then count it as lost.
 * The same questions are asked periodically (every `reconcileIntervalMs`), so a run
 * whose end never reached the framework is still recorded.
 *
 * Each Schedule is read and planned on its own (see {@link ScheduleBook}); each offer
 * and each status write is handled on its own: one bad object never stops the others.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { TaskStatus__Output } from '../../gen/mezzo/v1/TaskStatus.js';
import { OfferMatcher } from '../../sdk/offers.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import { BUILTIN_RECONCILE_INTERVAL_MS, builtinClient } from '../builtin-client.js';
import { launch } from '../../sdk/tasks.js';
import type { TaskInfo } from '../../gen/mezzo/v1/TaskInfo.js';
import type { Timer } from '../../shared/clock.js';
import type { StoredObject, WatchEvent } from '../../store/types.js';
import type { BuiltinFramework, BuiltinFrameworkOptions } from '../builtin.js';
import { ScheduleBook, type Tracked } from './book.js';
import type { RunRecord } from './planner.js';
import { OwnerNotifier } from './notify.js';
import { describeStatus, runResult, runTask } from './runs.js';
import { scheduleNeeds } from './spec.js';
import { taskIdOf } from './status.js';

const MAX_TIMER_MS = 3_600_000;

/** Settings for {@link ScheduleFramework}: the built-in options plus test knobs. */
export interface ScheduleFrameworkOptions extends BuiltinFrameworkOptions {
  /**
   * Wait before asking again about runs the controller has not confirmed (default 10 s):
   * a recovering controller holds its answers, and a new leader learns of tasks only as
   * their agents re-register.
   */
  reconcileRetryMs?: number;
  /**
   * Unknown answers after which such a run counts as lost and may be retried (default 30,
   * about five minutes): waiting long is the price of never starting a run twice.
   */
  lostAfter?: number;
}

/** The schedules framework. */
export class ScheduleFramework implements BuiltinFramework {
  private readonly client: SchedulerClient;
  private readonly book: ScheduleBook;
  private readonly notifier: OwnerNotifier;
  private queue: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;
  private timer: Timer | undefined;
  private timerAt: number | undefined;
  private reconcileTimer: Timer | undefined;
  private periodicTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: ScheduleFrameworkOptions) {
    // Periodic reconciliation runs on this framework's clock (below), not the client's.
    this.client = builtinClient('schedules', { ...opts, reconcileIntervalMs: 0 });
    this.notifier = new OwnerNotifier({
      logger: opts.logger,
      ...(opts.recordEvent ? { recordEvent: opts.recordEvent } : {}),
    });
    this.book = new ScheduleBook({
      kill: (taskId) => {
        this.client.kill(taskId).catch((err: unknown) => {
          opts.logger.warn('kill failed', { task: taskId, error: String(err) });
        });
      },
      event: (target, type, reason, message) => {
        this.notifier.event(target, type, reason, message);
      },
      failure: (notice, webhook) => {
        this.notifier.failure(notice, webhook);
      },
    });
    this.client.on('subscribed', () => {
      this.enqueue('reconcile', () => this.reconcileRuns(true));
    });
    this.client.on('update', (status) => {
      this.enqueue('task update', () => this.onUpdate(status));
    });
    this.client.on('offers', (offers) => {
      this.enqueue('offers', () => this.onOffers(offers));
    });
  }

  /** The framework ID once subscribed. */
  get id(): string {
    return this.client.id;
  }

  /** Loads the Schedules (and their persisted runs), subscribes, and starts watching. */
  async start(): Promise<void> {
    const initial = await this.opts.store.list('Schedule');
    this.enqueue('load', () => {
      for (const obj of initial) this.book.upsert(obj);
      return Promise.resolve();
    });
    await this.client.start();
    this.unwatch = this.opts.store.watch('Schedule', (e) => {
      this.enqueue('schedule change', () => this.onSchedule(e));
    });
    this.armPeriodic();
    await this.settled();
  }

  // Every period: ask about every run in progress, as after a subscription.
  private armPeriodic(): void {
    const every = this.opts.reconcileIntervalMs ?? BUILTIN_RECONCILE_INTERVAL_MS;
    if (every <= 0 || this.stopped) return;
    this.periodicTimer = this.opts.clock.setTimer(every, () => {
      this.enqueue('periodic reconcile', () =>
        this.client.connected ? this.reconcileRuns(true) : Promise.resolve(),
      );
      this.armPeriodic();
    });
  }

  /** Stops; runs keep going and a later instance picks them up from status. */
  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.timer?.cancel();
    this.reconcileTimer?.cancel();
    this.periodicTimer?.cancel();
    this.client.close();
  }

  /** Resolves once every step queued so far has run (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
    await this.notifier.settled();
  }

  private enqueue(what: string, step: () => Promise<void>): void {
    this.queue = this.queue
      .then(async () => {
        if (this.stopped) return;
        await step();
        await this.afterStep();
      })
      .catch((err: unknown) => {
        this.opts.logger.warn(`schedules: ${what} failed`, {
          error: err instanceof Error ? err.message : String(err),
        });
        // Try again soon: statuses are level-based, a later pass writes what this missed.
        this.arm(this.opts.clock.now() + 1_000);
      });
  }

  // After every step: plan, write what changed, ask for offers or stop, re-arm the timer.
  private async afterStep(): Promise<void> {
    this.book.planAll(this.opts.clock.now());
    await this.writeStatuses();
    await this.updateInterest();
    const at = this.book.wakeup();
    if (at !== undefined) this.arm(at);
  }

  private arm(at: number): void {
    if (this.stopped || (this.timerAt !== undefined && this.timerAt <= at && this.timer)) return;
    this.timer?.cancel();
    // At most an hour ahead: Node fires timers over ~24.8 days at once, and a wake-up
    // with nothing due only re-arms.
    const fireAt = Math.min(at, this.opts.clock.now() + MAX_TIMER_MS);
    this.timerAt = fireAt;
    this.timer = this.opts.clock.setTimer(fireAt - this.opts.clock.now(), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.enqueue('wake-up', () => Promise.resolve());
    });
  }

  // Each status on its own: one that cannot be written does not hold back the others.
  private async writeStatuses(): Promise<void> {
    let failed = false;
    for (const { t, status } of this.book.changedStatuses(this.opts.clock.now())) {
      try {
        const obj = await this.opts.store.updateStatus('Schedule', t.name, t.namespace, status);
        t.obj = obj;
        t.written = status;
        t.unsaved = false;
      } catch (err) {
        this.opts.logger.warn('writing a schedule status failed', {
          schedule: `${t.namespace}/${t.name}`,
          error: err instanceof Error ? err.message : String(err),
        });
        failed = true;
      }
    }
    // A pass in a second writes what this one could not.
    if (failed) this.arm(this.opts.clock.now() + 1_000);
  }

  private onSchedule(e: WatchEvent): Promise<void> {
    const { name, namespace = 'default' } = e.object.metadata;
    if (e.type === 'DELETED') {
      // Chronos deletes a job's runs with it.
      for (const taskId of this.book.remove(namespace, name)) {
        this.client.kill(taskId).catch(() => undefined);
      }
      return Promise.resolve();
    }
    const { fresh } = this.book.upsert(e.object);
    if (fresh && this.client.connected) return this.reconcileRuns(false);
    return Promise.resolve();
  }

  /**
   * Asks the controller about every run in progress: explicitly (an unknown task is
   * answered TASK_UNKNOWN) and implicitly (every task of this framework, to notice runs
   * that status does not know of). `all` marks every run unconfirmed (a new subscription:
   * the controller may have restarted too).
   */
  private async reconcileRuns(all: boolean): Promise<void> {
    const ids: { task_id: string }[] = [];
    for (const t of this.book.all()) {
      for (const run of t.persisted.state.running) {
        if (all && !t.unconfirmed.has(run.id)) t.unconfirmed.set(run.id, 0);
        if (t.unconfirmed.has(run.id)) ids.push({ task_id: taskIdOf(t.namespace, run.id) });
      }
    }
    if (ids.length > 0) {
      await this.client.reconcile(ids);
      // A recovering controller holds its answer rather than guess; ask again soon, not
      // at the next periodic round (a minute), or the run waits that long to launch.
      this.askAgainLater();
    }
    if (all) await this.client.reconcile([]);
  }

  // One pending retry of the unanswered questions at a time.
  private askAgainLater(): void {
    this.reconcileTimer?.cancel();
    this.reconcileTimer = this.opts.clock.setTimer(this.opts.reconcileRetryMs ?? 10_000, () => {
      this.enqueue('reconcile again', () =>
        this.client.connected ? this.reconcileRuns(false) : Promise.resolve(),
      );
    });
  }

  private async onUpdate(status: TaskStatus__Output): Promise<void> {
    const found = this.book.findTask(status.task_id);
    if (!found) return; // an earlier answer for a run already recorded, or not ours
    const { t, run } = found;
    const now = this.opts.clock.now();
    if (status.state === 'TASK_UNKNOWN') {
      await this.onUnknown(t, run.id);
      return;
    }
    t.unconfirmed.delete(run.id);
    const result = runResult(status);
    if (result === undefined) {
      if (t.persisted.phases.get(run.id) !== 'Launched') t.persisted.phases.set(run.id, 'Launched');
      if (status.state === 'TASK_RUNNING') {
        this.opts.logger.info('schedule run started', {
          schedule: `${t.namespace}/${t.name}`,
          run: run.id,
          delayMs: now - run.scheduledTime,
        });
      }
      return;
    }
    this.opts.logger.info('schedule run ended', {
      schedule: `${t.namespace}/${t.name}`,
      run: run.id,
      result,
      durationMs: now - run.startedAt,
    });
    this.book.finish(t, run.id, result, describeStatus(status), now);
  }

  // The controller does not know a recorded run's task.
  private async onUnknown(t: Tracked, runId: string): Promise<void> {
    const answers = t.unconfirmed.get(runId);
    if (answers === undefined) return; // an answer to a kill, not a question we asked
    if (t.persisted.phases.get(runId) !== 'Launched') {
      // Recorded but never accepted (the previous instance stopped in between): launch it.
      t.unconfirmed.delete(runId);
      return;
    }
    // Accepted, yet unknown: the controller may be recovering (agents not re-registered
    // yet). Its Task object may already say how the run ended.
    const taskId = taskIdOf(t.namespace, runId);
    const objs = await this.opts.store.list('Task');
    const obj = objs.find((o: StoredObject) => o.metadata.name === taskId);
    const state = (obj?.status as { state?: string } | undefined)?.state;
    const result = state ? runResult({ state: state as TaskStatus__Output['state'] }) : undefined;
    const now = this.opts.clock.now();
    if (result !== undefined) {
      this.book.finish(t, runId, result, `${state ?? ''} (from the Task object)`, now);
      return;
    }
    if (answers + 1 >= (this.opts.lostAfter ?? 30)) {
      this.book.finish(t, runId, 'Failed', 'task lost: unknown to the controller', now);
      return;
    }
    if (answers === 0) {
      this.notifier.event(
        { name: t.name, namespace: t.namespace },
        'Normal',
        'RunUnconfirmed',
        `run ${runId} was launched but the controller does not know its task yet; waiting for its agent before counting it as lost`,
      );
    }
    t.unconfirmed.set(runId, answers + 1);
    this.askAgainLater();
  }

  // Every offer is answered on its own: a failure on one never leaves it held.
  private async onOffers(offers: Offer__Output[]): Promise<void> {
    const waiting = this.book.launchable();
    for (const offer of offers) {
      try {
        await this.placeOn(offer, waiting);
      } catch (err) {
        this.opts.logger.warn('placing schedule runs failed', {
          agent: offer.hostname,
          error: err instanceof Error ? err.message : String(err),
        });
        await this.client.decline([offer.id], 1).catch(() => undefined);
      }
    }
  }

  private async placeOn(
    offer: Offer__Output,
    waiting: { t: Tracked; run: RunRecord }[],
  ): Promise<void> {
    const matcher = new OfferMatcher(offer);
    const tasks: TaskInfo[] = [];
    const placed: typeof waiting = [];
    for (const w of waiting) {
      const task = w.t.task;
      if (!task) continue;
      const fit = matcher.take(scheduleNeeds(task));
      if (!fit.ok) continue;
      tasks.push(runTask(w.t, task, w.run, offer.agent_id, fit));
      placed.push(w);
    }
    if (tasks.length === 0) {
      await this.client.decline([offer.id], waiting.length > 0 ? 1 : 5);
      return;
    }
    for (const w of placed) waiting.splice(waiting.indexOf(w), 1);
    try {
      // A rejected accept is declined by the client before it rejects.
      await this.client.accept([offer.id], [launch(...tasks)], 1);
    } catch (err) {
      // Already in use: a previous instance launched it after all. Ask, do not relaunch.
      const msg = err instanceof Error ? err.message : String(err);
      for (const w of placed) {
        if (msg.includes('already in use')) w.t.unconfirmed.set(w.run.id, 0);
      }
      this.opts.logger.warn('launching schedule runs failed', { error: msg });
      await this.reconcileRuns(false);
      return;
    }
    for (const w of placed) w.t.persisted.phases.set(w.run.id, 'Launched');
    this.opts.logger.info('launched schedule runs', {
      agent: offer.hostname,
      runs: placed.map((w) => `${w.t.namespace}/${w.run.id}`),
    });
  }

  // Offers only while a run waits for one.
  private async updateInterest(): Promise<void> {
    await this.client.wantOffers(this.book.launchable().length > 0);
  }
}
