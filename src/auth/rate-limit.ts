/**
 * A token bucket per caller: each may spend `burst` tokens at once and `ratePerSecond` a
 * second after that. With a `queue`, a caller past its bucket may also run up that many
 * tokens of debt, each request waiting until the bucket has refilled what it took (so
 * waiting requests go in the order they came, at the rate); past the debt it is refused.
 * Buckets of callers idle long enough to be full again are dropped, so the map holds only
 * callers active in the last few seconds.
 */

/** Settings of {@link RateLimiter}. */
export interface RateLimit {
  /** Sustained tokens a second per caller (a request costs one unless told otherwise). */
  readonly ratePerSecond: number;
  /** Tokens a caller may spend at once. */
  readonly burst: number;
  /**
   * Tokens a caller may owe beyond an empty bucket, its requests waiting their turn
   * (default 0: past the bucket a request is refused at once).
   */
  readonly queue?: number;
}

/**
 * The default: far above what a dashboard (a few requests a second) or the CLI make;
 * frameworks talk gRPC, not HTTP.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 200, burst: 1_000 };

interface Bucket {
  /** Negative while requests wait: the debt they ran up. */
  tokens: number;
  at: number;
}

/**
 * The outcome of {@link RateLimiter.take}: allowed after `waitMs` (0: at once), or how many
 * seconds until it would be.
 */
export type RateOutcome =
  | { readonly ok: true; readonly waitMs: number }
  | { readonly ok: false; readonly retryAfterS: number };

/** Per-key token buckets. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;
  private readonly queue: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.queue = limit.queue ?? 0;
  }

  /**
   * Takes `cost` tokens from `key`'s bucket. A cost above the burst counts as the burst, so
   * that every request can pass once its caller has been quiet.
   */
  take(key: string, cost = 1): RateOutcome {
    const now = this.now();
    this.sweep(now);
    const { ratePerSecond: rate, burst } = this.limit;
    const spend = Math.min(cost, burst);
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    const left = b.tokens - spend;
    if (left < -this.queue) {
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(-(left + this.queue) / rate)) };
    }
    b.tokens = left;
    return { ok: true, waitMs: left >= 0 ? 0 : (-left / rate) * 1000 };
  }

  /** Callers with a bucket now (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    // From the deepest debt to a full bucket.
    const refillMs = ((this.limit.burst + this.queue) / this.limit.ratePerSecond) * 1000;
    if (now - this.lastSweep < refillMs) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(key);
  }
}
