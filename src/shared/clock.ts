/**
 * Time as a dependency. Every component takes a {@link Clock} so that tests can drive
 * timeouts, heartbeats and schedules with a {@link ManualClock} instead of sleeping.
 * The allocator uses only {@link Clock.now}.
 */

/** A scheduled callback that can be cancelled. */
export interface Timer {
  /** Cancels the callback; a no-op when it already ran. */
  cancel(): void;
}

/** A source of time and timers. Times are milliseconds since the Unix epoch. */
export interface Clock {
  /** Current time in milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `delayMs` from now. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** The wall clock and Node's timers. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    // Node fires a delay above 2^31 - 1 ms (or NaN) after 1 ms: a week-long failover timeout
    // written in years must wait, not remove the framework at once. Long waits go in steps.
    const total = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
    const due = Date.now() + total;
    let handle: NodeJS.Timeout;
    const arm = (ms: number) => {
      handle = setTimeout(
        () => {
          const left = due - Date.now();
          if (left > 0) arm(left);
          else fn();
        },
        Math.min(ms, MAX_TIMEOUT_MS),
      );
      // A pending timer must never keep a stopping process alive.
      handle.unref();
    };
    arm(total);
    return { cancel: () => clearTimeout(handle) };
  }
}

/** The longest delay setTimeout honours (a signed 32-bit count of milliseconds). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers fire in due order (ties in the order
 * they were set) during {@link ManualClock.advance}, each seeing `now()` at its due time.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  /** @param start - initial time in ms since the epoch */
  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const entry: Pending = {
      at: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Number of timers that have not fired or been cancelled. */
  pendingTimers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`ManualClock cannot go back in time (advance ${ms} ms)`);
    const target = this.current + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) {
          next = p;
        }
      }
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }
}
