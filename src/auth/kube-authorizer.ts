/**
 * Authorization on Kubernetes: every question is a `SubjectAccessReview`
 * (authorization.k8s.io/v1) for the caller's user, uid, groups and extra, so RBAC (or
 * whatever authorizers the cluster runs) answers it as it would answer `kubectl`. This is
 * the kube-rbac-proxy pattern: the controller needs `create subjectaccessreviews`, never
 * `impersonate`. Answers are cached briefly, denials for less time than grants so that a
 * new RoleBinding takes effect soon; an apiserver that cannot be reached denies and is not
 * cached (fail closed).
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { ReviewCache, cacheKey } from './review-cache.js';
import type { AccessRequest, Authorizer, Decision, Principal } from './types.js';

/** A SubjectAccessReview's outcome; `cache: false` when the review itself failed. */
export type AccessReviewOutcome = Decision & { readonly cacheable: boolean };

/** Sends one SubjectAccessReview (injected so the cache can be tested without an apiserver). */
export type AccessReviewer = (who: Principal, what: AccessRequest) => Promise<AccessReviewOutcome>;

/** How a {@link KubeAuthorizer} is built. */
export interface KubeAuthorizerOptions {
  readonly review: AccessReviewer;
  readonly clock: Clock;
  readonly metrics?: MetricsRegistry;
  /** How long a grant is kept (default 10 s). */
  readonly allowedTtlMs?: number;
  /** How long a denial is kept (default 5 s). */
  readonly deniedTtlMs?: number;
  /** Answers remembered at most (default 16,384). */
  readonly maxEntries?: number;
}

/** A denial's reason when the apiserver gives none (RBAC denies by having no rule). */
export const NO_RULE = 'no RBAC rule allows it';

/** Defaults of {@link KubeAuthorizerOptions}. */
export const AUTHZ_DEFAULTS = { allowedTtlMs: 10_000, deniedTtlMs: 5_000, maxEntries: 16_384 };

/** The SubjectAccessReview spec that asks `what` for `who`. */
export function accessReviewSpec(
  who: Principal,
  what: AccessRequest,
): k8s.V1SubjectAccessReviewSpec {
  const extra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(who.extra)) extra[k] = [...v];
  const subject = {
    user: who.username,
    ...(who.uid ? { uid: who.uid } : {}),
    groups: [...who.groups],
    extra,
  };
  if ('nonResource' in what) {
    return { ...subject, nonResourceAttributes: { ...what.nonResource } };
  }
  const r = what.resource;
  return {
    ...subject,
    resourceAttributes: {
      verb: r.verb,
      group: r.group,
      resource: r.resource,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
    },
  };
}

/** An {@link AccessReviewer} that asks the apiserver `kc` points at. */
export function accessReviewer(kc: k8s.KubeConfig): AccessReviewer {
  const api = kc.makeApiClient(k8s.AuthorizationV1Api);
  return async (who, what) => {
    let status: k8s.V1SubjectAccessReviewStatus | undefined;
    try {
      const review = await api.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: accessReviewSpec(who, what),
        },
      });
      status = review.status;
    } catch (err) {
      const why = err instanceof k8s.ApiException ? `HTTP ${err.code}` : String(err);
      return { allowed: false, reason: `SubjectAccessReview failed (${why})`, cacheable: false };
    }
    if (status?.allowed === true && status.denied !== true)
      return { allowed: true, cacheable: true };
    const detail = [status?.reason, status?.evaluationError].filter((s) => s).join('; ');
    return { allowed: false, reason: detail || NO_RULE, cacheable: true };
  };
}

/** An {@link Authorizer} that asks SubjectAccessReview, through a bounded TTL cache. */
export class KubeAuthorizer implements Authorizer {
  private readonly cache: ReviewCache<AccessReviewOutcome>;

  constructor(private readonly options: KubeAuthorizerOptions) {
    const allowed = options.allowedTtlMs ?? AUTHZ_DEFAULTS.allowedTtlMs;
    const denied = options.deniedTtlMs ?? AUTHZ_DEFAULTS.deniedTtlMs;
    this.cache = new ReviewCache<AccessReviewOutcome>({
      clock: options.clock,
      maxEntries: options.maxEntries ?? AUTHZ_DEFAULTS.maxEntries,
      ttlMs: (o) => (!o.cacheable ? 0 : o.allowed ? allowed : denied),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      names: {
        requests: 'mezzo_authz_cache_requests_total',
        latency: 'mezzo_authz_subjectaccessreview_duration_seconds',
        what: 'SubjectAccessReview',
      },
    });
  }

  async authorize(who: Principal, what: AccessRequest): Promise<Decision> {
    const key = cacheKey(JSON.stringify(accessReviewSpec(who, what)));
    const outcome = await this.cache.get(key, () => this.options.review(who, what));
    return outcome.allowed ? { allowed: true } : { allowed: false, reason: outcome.reason };
  }

  /** Answers held in the cache (for tests of its bound). */
  get cachedEntries(): number {
    return this.cache.size;
  }
}
