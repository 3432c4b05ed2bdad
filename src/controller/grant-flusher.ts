/**
 * The loop that writes the task grants (task-grants.ts) apart from the controller's work
 * queue: a grant waits for no status write queued before it, because an agent's write
 * is refused until its grant lands. One write at a time; grants made meanwhile go in the
 * next. A failed write is tried again after a backoff; every minute the whole map is
 * written again, which also makes it again should someone have deleted it.
 */
import type { Clock, Timer } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { TaskGrants, type GrantWriter } from './task-grants.js';

/** How often the whole map is written again. */
export const GRANTS_RESYNC_MS = 60_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/** Runs {@link TaskGrants.flush} whenever grants change, one write at a time. */
export class GrantFlusher {
  private running: Promise<void> | undefined;
  private retryMs = RETRY_MIN_MS;
  private timer: Timer | undefined;
  private resyncTimer: Timer | undefined;
  private stopped = false;

  /** The grants it writes. */
  readonly grants: TaskGrants;

  constructor(
    writer: GrantWriter,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Called with the keys each write granted, once it landed. */
    private readonly onWritten: (keys: readonly string[]) => void,
  ) {
    this.grants = new TaskGrants(writer, () => {
      this.kick();
    });
  }

  /**
   * Writes the whole map now, before the controller's first status write: until the map
   * exists the policy refuses every Task status write. Should this fail, the loop tries
   * again (and those writes are retried by the work queue meanwhile).
   */
  async start(): Promise<void> {
    try {
      this.onWritten(await this.grants.flush());
    } catch (err) {
      this.log.warn('task grants not written at start; retrying', { error: describeError(err) });
      this.kick();
    }
    this.scheduleResync();
  }

  /** Grants changed: write them soon. */
  kick(): void {
    if (this.stopped || this.running || this.timer) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops writing; resolves when no write is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.resyncTimer?.cancel();
    await this.running;
  }

  private async loop(): Promise<void> {
    // Grants made in this turn of the event loop share the write.
    await new Promise((r) => setImmediate(r));
    while (!this.stopped && this.grants.pending) {
      try {
        const start = this.clock.now();
        const keys = await this.grants.flush();
        this.log.debug('task grants written', {
          grants: keys.length,
          ms: this.clock.now() - start,
        });
        this.onWritten(keys);
        this.retryMs = RETRY_MIN_MS;
      } catch (err) {
        this.log.warn('task grants not written; retrying', {
          error: describeError(err),
          inMs: this.retryMs,
        });
        this.timer = this.clock.setTimer(this.retryMs, () => {
          this.timer = undefined;
          this.kick();
        });
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
        return;
      }
    }
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    this.resyncTimer = this.clock.setTimer(GRANTS_RESYNC_MS, () => {
      this.grants.resync();
      this.scheduleResync();
    });
  }
}
