/**
 * The Kubernetes mode in one call: what the controller and the agent use when they run in
 * a cluster. Callers are authenticated with TokenReview and authorized with
 * SubjectAccessReview (both cached), and only the configured agent identities may
 * register agents. The agent, in turn, proves itself with its pod's projected
 * ServiceAccount token, which the kubelet rotates in place: it is read again for every
 * call rather than once at start.
 */
import { readFile } from 'node:fs/promises';
import type * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import { MezzoError } from '../shared/errors.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { AgentIdentityPolicy } from './agent-identity.js';
import { KubeAuthenticator, tokenReviewer } from './kube-authenticator.js';
import { KubeAuthorizer, accessReviewer } from './kube-authorizer.js';
import type { AccessControl } from './types.js';

/** Where a pod finds its ServiceAccount token (projected, rotated by the kubelet). */
export const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** How the Kubernetes access control is tuned (flags of `mezzo controller`). */
export interface KubeAccessOptions {
  readonly clock: Clock;
  readonly metrics?: MetricsRegistry;
  /** Audiences bearer tokens must be meant for (`--token-audience`); empty: the apiserver's. */
  readonly audiences?: readonly string[];
  /** User names allowed to register agents (`--agent-identity`). */
  readonly agentIdentities: readonly string[];
  /** TokenReview cache TTLs and bound. */
  readonly authnPositiveTtlMs?: number;
  readonly authnNegativeTtlMs?: number;
  /** SubjectAccessReview cache TTLs. */
  readonly authzAllowedTtlMs?: number;
  readonly authzDeniedTtlMs?: number;
}

/** The access control of a server in a cluster, with its agent identity policy. */
export interface KubeAccessControl extends AccessControl {
  readonly agentIdentity: AgentIdentityPolicy;
}

/** Builds the Kubernetes mode's access control on the apiserver `kc` points at. */
export function kubeAccessControl(kc: k8s.KubeConfig, opts: KubeAccessOptions): KubeAccessControl {
  const metrics = opts.metrics ? { metrics: opts.metrics } : {};
  return {
    authenticator: new KubeAuthenticator({
      review: tokenReviewer(kc),
      clock: opts.clock,
      ...metrics,
      ...(opts.audiences ? { audiences: opts.audiences } : {}),
      ...defined('positiveTtlMs', opts.authnPositiveTtlMs),
      ...defined('negativeTtlMs', opts.authnNegativeTtlMs),
    }),
    authorizer: new KubeAuthorizer({
      review: accessReviewer(kc),
      clock: opts.clock,
      ...metrics,
      ...defined('allowedTtlMs', opts.authzAllowedTtlMs),
      ...defined('deniedTtlMs', opts.authzDeniedTtlMs),
    }),
    agentIdentity: { identities: opts.agentIdentities },
  };
}

function defined<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}

/** The token file could not be read or was empty. */
export class TokenFileUnreadableError extends MezzoError {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super('UNAUTHENTICATED', `cannot read the ServiceAccount token ${file}: ${why}`, { file });
  }
}

/**
 * A source of the pod's current ServiceAccount token: read on every call, because the
 * kubelet replaces a projected token before it expires (and a read costs microseconds).
 */
export function serviceAccountToken(
  file: string = SERVICE_ACCOUNT_TOKEN_FILE,
): () => Promise<string> {
  return async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new TokenFileUnreadableError(file, err instanceof Error ? err.message : String(err));
    }
    const token = text.trim();
    if (!token) throw new TokenFileUnreadableError(file, 'the file is empty');
    return token;
  };
}
