/**
 * The Task mirror's STAGING grace: a task launched here is not written while it is
 * STAGING with no update from its agent until the grace has passed since its launch. Its
 * agent's first update (STARTING, or RUNNING from a simulated agent) usually comes
 * within it and is then the first state written: one status write fewer a task, which
 * under a client rate limit is 1/QPS seconds sooner for every write behind it. A task
 * still STAGING when the grace ends is written so.
 */
import type { Clock, Timer } from '../shared/clock.js';
import type { TaskRecord } from './records.js';

/** The grace by default. */
export const STAGING_GRACE_MS = 500;

/** The syncs put off under the grace, each queued again when its grace ends. */
export class StagingGrace {
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    /** Queues the task's sync again. */
    private readonly requeue: (id: string) => void,
  ) {}

  /**
   * Whether task `t`'s sync waits: launched here, no update from its agent yet, and seen
   * first (`seenAt`) less than the grace ago. A change before then (its agent's update,
   * a kill) queues its sync at once anyway.
   */
  holds(t: TaskRecord, seenAt: number | undefined): boolean {
    if (t.state !== 'TASK_STAGING' || t.status !== undefined || t.fromStore || t.adopted)
      return false;
    const left = seenAt === undefined ? 0 : seenAt + this.graceMs - this.clock.now();
    if (left <= 0) return false;
    if (!this.timers.has(t.id)) {
      const timer = this.clock.setTimer(left, () => {
        this.timers.delete(t.id);
        this.requeue(t.id);
      });
      this.timers.set(t.id, timer);
    }
    return true;
  }

  /** The task is gone: its timer with it. */
  forget(id: string): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  /** Cancels every timer (the controller is stopping). */
  stop(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }
}
