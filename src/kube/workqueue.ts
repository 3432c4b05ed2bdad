/**
 * A deduplicating, rate-limited work queue in the manner of client-go's workqueue, which
 * `@kubernetes/client-node` does not provide. Reconcilers put keys in; a key waiting in
 * the queue is held once however often it is added; a key being processed is never
 * handed to a second worker, and if it is added meanwhile it is processed again after
 * `done`. Failed keys come back after a per-key exponential backoff, and an overall
 * token bucket bounds how fast retries flow.
 */
import type { Clock, Timer } from '../shared/clock.js';

/** Backoff and rate settings. */
export interface WorkQueueOptions {
  /** First retry delay for a failing key. Default 5 ms (client-go's default). */
  baseDelayMs?: number;
  /** Largest retry delay. Default 1000 s. */
  maxDelayMs?: number;
  /** Overall retry rate, per second (token bucket refill). Default 10. */
  qps?: number;
  /** Token bucket size. Default 100. */
  burst?: number;
}

/** Counters for metrics. */
export interface WorkQueueStats {
  adds: number;
  retries: number;
  depth: number;
  processing: number;
}

/** Taken keys kept at the front of the array before it is compacted. */
const COMPACT_FROM = 1024;

/** The queue. Keys are strings (e.g. `namespace/name`). */
export class WorkQueue {
  /**
   * Keys in order from `head` on. Taken by moving `head`, not by `shift()`: a queue of
   * 50,000 keys (every agent of a cluster registering) is an array in V8's large-object
   * space, where `shift()` moves every element, so draining it was quadratic.
   */
  private queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: Timer }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private tokens: number;
  private lastRefill: number;
  private shuttingDown = false;
  private readonly opts: Required<WorkQueueOptions>;
  private addsTotal = 0;
  private retriesTotal = 0;

  constructor(
    private readonly clock: Clock,
    options: WorkQueueOptions = {},
  ) {
    this.opts = {
      baseDelayMs: options.baseDelayMs ?? 5,
      maxDelayMs: options.maxDelayMs ?? 1_000_000,
      qps: options.qps ?? 10,
      burst: options.burst ?? 100,
    };
    this.tokens = this.opts.burst;
    this.lastRefill = clock.now();
  }

  /** Adds a key now. A key already waiting is not added twice. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.addsTotal++;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const pending = this.delayed.get(key);
    if (pending) {
      pending.timer.cancel();
      this.delayed.delete(key);
    }
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds a key after `delayMs`; an earlier pending add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimer(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  /**
   * Adds a key after its backoff: per key `base * 2^failures` (capped), and no sooner
   * than the overall token bucket allows.
   */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.retriesTotal++;
    const perKey = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** n);
    this.addAfter(key, Math.max(perKey, this.bucketDelay()));
  }

  /** Clears a key's failure count (call after it was processed successfully). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times the key has been retried since it was last forgotten. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Waits for the next key; resolves `undefined` once the queue shuts down. The caller
   * must call {@link done} with the key when finished.
   */
  get(): Promise<string | undefined> {
    const key = this.queue[this.head];
    if (key !== undefined) {
      this.head++;
      // Drop the taken part once it is most of the array: amortized O(1) per key.
      if (this.head >= COMPACT_FROM && this.head * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; if it was added while processing, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  /** Stops handing out keys; waiting `get` calls resolve `undefined`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Keys waiting now (not counting delayed ones). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Counters for metrics. */
  stats(): WorkQueueStats {
    return {
      adds: this.addsTotal,
      retries: this.retriesTotal,
      depth: this.length,
      processing: this.processing.size,
    };
  }

  // Token bucket: each retry takes a token; when none is left the retry waits for one.
  private bucketDelay(): number {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.opts.burst,
      this.tokens + ((now - this.lastRefill) / 1000) * this.opts.qps,
    );
    this.lastRefill = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return (-this.tokens / this.opts.qps) * 1000;
  }
}

/**
 * Runs `workers` loops that take keys from `queue` and call `reconcile`. A reconcile that
 * throws is retried with backoff; one that resolves `{ requeueAfterMs }` comes back then.
 * Resolves when the queue shuts down and every worker has finished.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | undefined>,
  onError: (key: string, err: unknown) => void,
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
