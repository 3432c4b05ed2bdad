/**
 * Task reconciliation as Mesos recommends it, for one framework: after every subscription
 * (and, when asked, periodically), explicit for the tasks the framework believes it has,
 * then implicit for everything the controller knows; and explicit again, with backoff
 * (1, 2, 4, 8, 16 s), for known tasks still without an answer — a controller that just
 * started holds its answer until its agents re-register. Answers arrive as ordinary
 * status updates; {@link Reconciliation.answered} hears of each.
 */

import { SystemClock, type Clock, type Timer } from '../shared/clock.js';

/** A task the framework asks about. */
export interface TaskRef {
  task_id: string;
  agent_id?: string;
}

/** Collaborators of {@link Reconciliation}. */
export interface ReconciliationOptions {
  /** Sends one RECONCILE call (all of the framework's tasks when the list is empty). */
  send(tasks: TaskRef[]): Promise<void>;
  /** The tasks the framework believes it has, asked about explicitly. */
  knownTasks?: () => TaskRef[];
  /**
   * Reconcile again this often while subscribed (ms); undefined or 0: only after
   * subscribing. Mesos' docs advise periodic reconciliation, Marathon does it every 10 min.
   */
  intervalMs?: number;
  /** A RECONCILE call failed while the subscription it belonged to was still current. */
  onError(message: string): void;
  /** Timers (default the system clock's, which never hold a process open). */
  clock?: Clock;
}

/** Retry rounds for unanswered known tasks after the first: 1, 2, 4, 8 and 16 s. */
const RETRY_ROUNDS = 5;

/** One framework's reconciliation rounds. */
export class Reconciliation {
  private answers = new Set<string>();
  /** Bumped by every start and stop: timers of an older subscription do nothing. */
  private epoch = 0;
  private retryTimer: Timer | undefined;
  private periodTimer: Timer | undefined;
  private readonly clock: Clock;

  constructor(private readonly opts: ReconciliationOptions) {
    this.clock = opts.clock ?? new SystemClock();
  }

  /**
   * A new subscription: forget earlier answers, reconcile now when `now` is true, and
   * start the periodic rounds when an interval is set.
   */
  start(now: boolean): void {
    this.stop();
    const epoch = this.epoch;
    if (now) this.round(epoch, 0);
    this.armPeriod(epoch);
  }

  /** The subscription ended: no more rounds until the next start. */
  stop(): void {
    this.epoch++;
    this.answers = new Set();
    this.retryTimer?.cancel();
    this.periodTimer?.cancel();
    this.retryTimer = undefined;
    this.periodTimer = undefined;
  }

  /** A status update for `taskId` arrived: it needs no explicit question this round. */
  answered(taskId: string): void {
    this.answers.add(taskId);
  }

  private armPeriod(epoch: number): void {
    const every = this.opts.intervalMs;
    if (!every || every <= 0) return;
    this.periodTimer = this.clock.setTimer(every, () => {
      if (epoch !== this.epoch) return;
      // A fresh round: every known task is asked about again.
      this.answers = new Set();
      this.retryTimer?.cancel();
      this.round(epoch, 0);
      this.armPeriod(epoch);
    });
  }

  private round(epoch: number, n: number): void {
    const stale = () => epoch !== this.epoch;
    const pending = (this.opts.knownTasks?.() ?? []).filter((t) => !this.answers.has(t.task_id));
    const send = async () => {
      if (pending.length > 0) await this.opts.send(pending);
      if (n === 0) await this.opts.send([]);
    };
    send()
      .catch((err: unknown) => {
        if (!stale()) this.opts.onError(`reconcile failed: ${String(err)}`);
      })
      .finally(() => {
        if (stale() || n >= RETRY_ROUNDS || (n > 0 && pending.length === 0)) return;
        this.retryTimer = this.clock.setTimer(1000 * 2 ** n, () => {
          if (!stale()) this.round(epoch, n + 1);
        });
      });
  }
}
