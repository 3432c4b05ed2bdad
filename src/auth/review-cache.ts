/**
 * The caching in front of a Kubernetes review (TokenReview, SubjectAccessReview): answers
 * are kept for a TTL that depends on the answer, counted as hits and misses, and callers
 * that ask the same question while it is in flight share one review, so a burst of calls
 * with a new token costs the apiserver one request.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { TtlCache } from './ttl-cache.js';

/** Metric names a {@link ReviewCache} reports under. */
export interface ReviewMetricNames {
  /** Counter with label `result` = `hit` | `miss`. */
  readonly requests: string;
  /** Histogram of the review's latency in seconds. */
  readonly latency: string;
  /** What is reviewed, for help texts ("TokenReview"). */
  readonly what: string;
}

/** How a {@link ReviewCache} is built. */
export interface ReviewCacheOptions<V> {
  readonly clock: Clock;
  readonly maxEntries: number;
  /** How long to keep an answer (0 keeps it not at all: e.g. the apiserver was unreachable). */
  readonly ttlMs: (value: V) => number;
  readonly metrics?: MetricsRegistry;
  readonly names: ReviewMetricNames;
}

/** The SHA-256 of a cache key's parts, so that secrets (tokens) are never held as keys. */
export function cacheKey(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${part.length}:${part}`);
  return h.digest('base64url');
}

/** A TTL cache with one in-flight review per key and hit/miss/latency metrics. */
export class ReviewCache<V> {
  private readonly cache: TtlCache<V>;
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly requests;
  private readonly latency;

  constructor(private readonly options: ReviewCacheOptions<V>) {
    this.cache = new TtlCache<V>(options.clock, options.maxEntries);
    const { names, metrics } = options;
    this.requests = metrics?.counter(
      names.requests,
      `${names.what} cache lookups, by result (hit: answered from the cache)`,
      ['result'],
    );
    this.latency = metrics?.histogram(
      names.latency,
      `Latency of ${names.what} requests to the apiserver, in seconds`,
    );
  }

  /** The cached answer for `key`, or `review()`'s (shared with concurrent askers). */
  async get(key: string, review: () => Promise<V>): Promise<V> {
    const found = this.cache.get(key);
    if (found.hit) {
      this.requests?.inc({ result: 'hit' });
      return found.value;
    }
    this.requests?.inc({ result: 'miss' });
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = performance.now();
    const run = review()
      .then((value) => {
        this.latency?.observe((performance.now() - started) / 1000);
        this.cache.set(key, value, this.options.ttlMs(value));
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  /** Entries held (for tests of the bound). */
  get size(): number {
    return this.cache.size;
  }
}
