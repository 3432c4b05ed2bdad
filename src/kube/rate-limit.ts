/**
 * A client-side limit on requests to the apiserver, as client-go's `--kube-api-qps` and
 * `--kube-api-burst` set one for kube-scheduler: a token bucket holding up to `burst`
 * tokens, refilled at `qps` a second; each request takes one and waits for it when the
 * bucket is empty. Mezzo's clients have no limit by default (the controller bounds its
 * writes by its store workers); this exists so that it can be run under the same limit
 * as a Kubernetes component it is compared with, or kept below a shared apiserver's.
 */
import type * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import { FileCachedKubeConfig } from './file-cached-kubeconfig.js';
import { MezzoError } from '../shared/errors.js';

/** Requests a second and how many may go at once after a quiet spell. */
export interface RateLimit {
  readonly qps: number;
  readonly burst: number;
}

/** A limit that cannot be honoured (no rate, or a burst below one request). */
export class InvalidRateLimitError extends MezzoError {
  constructor(limit: RateLimit) {
    super(
      'INVALID_ARGUMENT',
      `rate limit needs qps > 0 and an integer burst >= 1 (got qps ${String(limit.qps)}, burst ${String(limit.burst)})`,
      { qps: limit.qps, burst: limit.burst },
    );
  }
}

function valid(limit: RateLimit): boolean {
  return (
    limit.qps > 0 && Number.isFinite(limit.qps) && Number.isInteger(limit.burst) && limit.burst >= 1
  );
}

/** `--kube-api-burst` given without `--kube-api-qps`: a burst alone limits nothing. */
export class BurstWithoutQpsError extends MezzoError {
  constructor(burst: number) {
    super('INVALID_ARGUMENT', '--kube-api-burst needs --kube-api-qps', { burst });
  }
}

/**
 * The limit `--kube-api-qps` and `--kube-api-burst` ask for: none without a qps; the
 * burst defaults to the qps rounded up (one second's worth).
 */
export function rateLimitFromFlags(qps?: number, burst?: number): RateLimit | undefined {
  if (qps === undefined) {
    if (burst !== undefined) throw new BurstWithoutQpsError(burst);
    return undefined;
  }
  const limit = { qps, burst: burst ?? Math.max(1, Math.ceil(qps)) };
  if (!valid(limit)) throw new InvalidRateLimitError(limit);
  return limit;
}

/**
 * A token bucket. Waiters are served in the order they asked: each reserves the next
 * token (the count may go below zero) and waits until the refill has paid for it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (!valid(limit)) throw new InvalidRateLimitError(limit);
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((now - this.last) / 1000) * this.limit.qps,
    );
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    const waitMs = (-this.tokens / this.limit.qps) * 1000;
    return new Promise((resolve) => this.clock.setTimer(waitMs, resolve));
  }
}

/**
 * A kubeconfig whose every API request (through `makeApiClient` or the pooled clients,
 * which authenticate through it) first takes a token from `bucket`, unless a turn paid
 * for by {@link afterTurn} is open. Watches are opened through `applyToFetchOptions` and
 * are not counted, as a long-running stream is one request.
 *
 * A paid turn is not tied to the work that bought it: the next request through this
 * kubeconfig uses the oldest open one, whoever sends it, and a work whose turn another
 * request used waits for a token of its own. Every request is still paid for by exactly
 * one token, so the limit holds. Tying each turn to its work's requests needs an async
 * context (AsyncLocalStorage): in Node 20 its first use turns on promise hooks for the
 * whole process, so every promise in the controller paid for it (a loop of bare awaits
 * ran 2.3× slower; docs/performance.md, "Session 23").
 */
export class RateLimitedKubeConfig extends FileCachedKubeConfig {
  /** Turns paid for and not yet used, oldest first (a Set keeps insertion order). */
  private readonly paid = new Set<object>();

  constructor(
    readonly bucket: TokenBucket,
    clock: Pick<Clock, 'now'>,
  ) {
    super(clock);
  }

  /** Waits for a token (or uses a paid turn), then authenticates as the kubeconfig says. */
  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    const oldest = this.paid.values().next();
    if (!oldest.done) this.paid.delete(oldest.value);
    else await this.bucket.take();
    await super.applySecurityAuthentication(context);
  }

  /** Runs `work` with one paid turn open; an unused turn is spent when `work` settles. */
  async paidTurn<T>(work: () => Promise<T>): Promise<T> {
    await this.bucket.take();
    const turn = {};
    this.paid.add(turn);
    try {
      return await work();
    } finally {
      this.paid.delete(turn);
    }
  }
}

/**
 * Waits until `kc` may send its next request (at once when it has no limit), then runs
 * `work`, with one request paid for. A writer that builds its request inside `work`
 * writes what is newest once its turn comes, not what was newest when it joined the
 * queue: a state superseded meanwhile is never sent (client-go's rate limiter waits after
 * the object is built, so a controller there writes the stale one too). Should `work`
 * send nothing, its token is spent all the same.
 */
export async function afterTurn<T>(kc: k8s.KubeConfig, work: () => Promise<T>): Promise<T> {
  if (!(kc instanceof RateLimitedKubeConfig)) return work();
  return kc.paidTurn(work);
}

/**
 * One kubeconfig per named client, each loaded by `load` and, under `limit`, with a
 * bucket of its own of that size, as kube-scheduler gives its main, event and
 * leader-election clients a rate limiter each: lease renewals and authentication checks
 * then never queue behind a backlog of status writes (at `--kube-api-qps 1`, 64 queued
 * writes would hold a renewal for 64 s, past any renew deadline, and the leader would
 * step down). Each reads its TLS files once a minute (file-cached-kubeconfig.ts).
 */
export function kubeConfigsFor<N extends string>(
  names: readonly N[],
  limit: RateLimit | undefined,
  clock: Clock,
  load: (kc: k8s.KubeConfig) => void,
): Record<N, k8s.KubeConfig> {
  const out = {} as Record<N, k8s.KubeConfig>;
  for (const name of names) {
    const kc = limit
      ? new RateLimitedKubeConfig(new TokenBucket(limit, clock), clock)
      : new FileCachedKubeConfig(clock);
    load(kc);
    out[name] = kc;
  }
  return out;
}
