/**
 * A token bucket per caller: each may make `burst` requests at once and `ratePerSecond`
 * a second after that. Buckets of callers idle long enough to be full again are dropped,
 * so the map holds only callers active in the last few seconds.
 */

/** Settings of {@link RateLimiter}. */
export interface RateLimit {
  /** Sustained requests a second per caller. */
  readonly ratePerSecond: number;
  /** Requests a caller may make at once. */
  readonly burst: number;
}

/**
 * The default: far above what a dashboard (a few requests a second) or the CLI make;
 * frameworks talk gRPC, not HTTP.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 200, burst: 1_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/** The outcome of {@link RateLimiter.take}: allowed, or how many seconds until it would be. */
export type RateOutcome =
  { readonly ok: true } | { readonly ok: false; readonly retryAfterS: number };

/** Per-key token buckets. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token from `key`'s bucket. */
  take(key: string): RateOutcome {
    const now = this.now();
    this.sweep(now);
    const b = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    b.tokens = Math.min(
      this.limit.burst,
      b.tokens + ((now - b.at) / 1000) * this.limit.ratePerSecond,
    );
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.ratePerSecond)),
    };
  }

  /** Callers with a bucket now (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const refillMs = (this.limit.burst / this.limit.ratePerSecond) * 1000;
    if (now - this.lastSweep < refillMs) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(key);
  }
}
