/**
 * Authentication on Kubernetes: a bearer token is whatever the apiserver accepts
 * (ServiceAccount tokens, OIDC, webhook…), asked with a `TokenReview`
 * (authentication.k8s.io/v1) and cached for a short TTL under the token's hash. A token
 * the apiserver rejects is cached for less time than one it accepts, so a caller that
 * fixes its token is not locked out for long; an apiserver that cannot be reached is not
 * cached at all and the call is refused (fail closed).
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { ReviewCache, cacheKey } from './review-cache.js';
import type { Authentication, Authenticator, Principal } from './types.js';

/** A TokenReview's outcome as the authenticator needs it. */
export type TokenReviewOutcome =
  | { readonly kind: 'authenticated'; readonly principal: Principal }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Sends one TokenReview (injected so the cache can be tested without an apiserver). */
export type TokenReviewer = (
  token: string,
  audiences: readonly string[],
) => Promise<TokenReviewOutcome>;

/** How a {@link KubeAuthenticator} is built. */
export interface KubeAuthenticatorOptions {
  readonly review: TokenReviewer;
  readonly clock: Clock;
  readonly metrics?: MetricsRegistry;
  /** Audiences the token must be meant for; empty: the apiserver's own. */
  readonly audiences?: readonly string[];
  /** How long an accepted token is trusted without asking again (default 30 s). */
  readonly positiveTtlMs?: number;
  /** How long a rejected token stays rejected without asking again (default 5 s). */
  readonly negativeTtlMs?: number;
  /** Tokens remembered at most (default 4,096). */
  readonly maxEntries?: number;
}

/** Defaults of {@link KubeAuthenticatorOptions}. */
export const AUTHN_DEFAULTS = { positiveTtlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 4096 };

/** Converts TokenReview's `status.user` into a {@link Principal}. */
export function principalOf(user: k8s.V1UserInfo | undefined): Principal | undefined {
  if (!user?.username) return undefined;
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    groups: user.groups ?? [],
    extra: user.extra ?? {},
  };
}

/** A {@link TokenReviewer} that asks the apiserver `kc` points at. */
export function tokenReviewer(kc: k8s.KubeConfig): TokenReviewer {
  const api = kc.makeApiClient(k8s.AuthenticationV1Api);
  return async (token, audiences) => {
    let status: k8s.V1TokenReviewStatus | undefined;
    try {
      const review = await api.createTokenReview({
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token, ...(audiences.length > 0 ? { audiences: [...audiences] } : {}) },
        },
      });
      status = review.status;
    } catch (err) {
      return { kind: 'unavailable', reason: `TokenReview failed: ${describe(err)}` };
    }
    const principal = status?.authenticated ? principalOf(status.user) : undefined;
    if (!principal) {
      return { kind: 'rejected', reason: status?.error || 'token not accepted by the apiserver' };
    }
    // The apiserver answers with the audiences the token is valid for among those asked.
    if (audiences.length > 0 && !(status?.audiences ?? []).some((a) => audiences.includes(a))) {
      return { kind: 'rejected', reason: `token is not meant for ${audiences.join(', ')}` };
    }
    return { kind: 'authenticated', principal };
  };
}

function describe(err: unknown): string {
  if (err instanceof k8s.ApiException) return `HTTP ${err.code}`;
  return err instanceof Error ? err.message : String(err);
}

/** An {@link Authenticator} that asks TokenReview, through a bounded TTL cache. */
export class KubeAuthenticator implements Authenticator {
  private readonly cache: ReviewCache<TokenReviewOutcome>;
  private readonly audiences: readonly string[];

  constructor(private readonly options: KubeAuthenticatorOptions) {
    this.audiences = options.audiences ?? [];
    const positive = options.positiveTtlMs ?? AUTHN_DEFAULTS.positiveTtlMs;
    const negative = options.negativeTtlMs ?? AUTHN_DEFAULTS.negativeTtlMs;
    this.cache = new ReviewCache<TokenReviewOutcome>({
      clock: options.clock,
      maxEntries: options.maxEntries ?? AUTHN_DEFAULTS.maxEntries,
      ttlMs: (o) => (o.kind === 'authenticated' ? positive : o.kind === 'rejected' ? negative : 0),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      names: {
        requests: 'mezzo_authn_cache_requests_total',
        latency: 'mezzo_authn_tokenreview_duration_seconds',
        what: 'TokenReview',
      },
    });
  }

  async authenticate(token: string): Promise<Authentication> {
    if (token.length === 0) return { ok: false, reason: 'empty bearer token' };
    const key = cacheKey(token, ...this.audiences);
    const outcome = await this.cache.get(key, () => this.options.review(token, this.audiences));
    return outcome.kind === 'authenticated'
      ? { ok: true, principal: outcome.principal }
      : { ok: false, reason: outcome.reason };
  }

  /** Tokens held in the cache (for tests of its bound). */
  get cachedEntries(): number {
    return this.cache.size;
  }
}
