/** Exponential backoff with full jitter, for reconnect and restart loops. */

/** Backoff settings in milliseconds. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Multiplier per failure; default 2. */
  factor?: number;
  /** Source of randomness in [0, 1); default Math.random (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Delays that grow by `factor` per failure up to `maxMs`; each returned delay is drawn
 * uniformly from [d/2, d] so that many clients restarting together spread out.
 */
export class Backoff {
  private failures = 0;
  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before the next attempt, and counts a failure. */
  next(): number {
    const factor = this.opts.factor ?? 2;
    const d = Math.min(this.opts.maxMs, this.opts.initialMs * factor ** this.failures);
    this.failures++;
    const r = (this.opts.random ?? Math.random)();
    return d / 2 + (d / 2) * r;
  }

  /** Forgets past failures after a success. */
  reset(): void {
    this.failures = 0;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
