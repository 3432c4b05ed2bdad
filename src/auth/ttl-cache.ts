/**
 * A bounded cache whose entries expire, for answers the apiserver gave (TokenReview,
 * SubjectAccessReview). Bounded because its keys come from callers: a flood of distinct
 * tokens must not grow the controller's memory. When full, the least recently used entry
 * goes (a Map keeps insertion order; a hit re-inserts its key at the end).
 */
import type { Clock } from '../shared/clock.js';

/** What {@link TtlCache.get} found. */
export type CacheLookup<V> = { readonly hit: true; readonly value: V } | { readonly hit: false };

/** A least-recently-used map whose entries each carry their own expiry. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  /**
   * @param clock time source (a ManualClock in tests).
   * @param maxEntries the most entries held; at least 1.
   */
  constructor(
    private readonly clock: Clock,
    private readonly maxEntries: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`cache size must be a positive integer, got ${maxEntries}`);
    }
  }

  /** The live entry under `key`, if any; an expired one is dropped. */
  get(key: string): CacheLookup<V> {
    const entry = this.entries.get(key);
    if (!entry) return { hit: false };
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return { hit: false };
    this.entries.set(key, entry);
    return { hit: true, value: entry.value };
  }

  /** Holds `value` under `key` for `ttlMs`; a TTL of 0 or less stores nothing. */
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  /** Entries held, live or not yet noticed to be expired. */
  get size(): number {
    return this.entries.size;
  }
}
