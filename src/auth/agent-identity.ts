/**
 * Who may register an agent. On Kubernetes an agent proves itself with its pod's
 * ServiceAccount token: the caller must be one of the configured agent identities (the
 * chart's agent ServiceAccount, `--agent-identity system:serviceaccount:<ns>:<sa>`), and a
 * pod-bound token's node (TokenReview's `extra["authentication.kubernetes.io/node-name"]`)
 * must be the node the agent says it runs on, so an agent on one node cannot pose as
 * another's. RBAC (`register agents`) is asked separately by the registration path; this
 * check is the part RBAC cannot express (an identity pinned by flag, the token's binding).
 */
import type { AccessControl, Decision, Principal } from './types.js';

/** TokenReview's extra key naming the node a pod-bound ServiceAccount token was issued on. */
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';

/** The ServiceAccount user name Kubernetes gives `<namespace>/<name>`. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** What {@link checkAgentIdentity} compares against. */
export interface AgentIdentityPolicy {
  /** User names allowed to register agents; empty: any caller RBAC allows (dev mode). */
  readonly identities: readonly string[];
}

/** The node an agent says it runs on, as sent in its registration. */
export interface AgentClaim {
  readonly nodeName: string;
  readonly hostname: string;
}

/**
 * Whether `who` may register an agent claiming `claim`. A denial's reason names what
 * was missing (the identity required, or the node the token is bound to).
 */
export function checkAgentIdentity(
  who: Principal,
  claim: AgentClaim,
  policy: AgentIdentityPolicy,
): Decision {
  if (policy.identities.length > 0 && !policy.identities.includes(who.username)) {
    return {
      allowed: false,
      reason: `only ${policy.identities.join(', ')} may register an agent`,
    };
  }
  const bound = who.extra[NODE_NAME_EXTRA];
  if (bound && bound.length > 0) {
    const claimed = claim.nodeName || claim.hostname;
    if (!bound.includes(claimed)) {
      return {
        allowed: false,
        reason: `the token is bound to node ${bound.join(', ')}, not to ${JSON.stringify(claimed)}`,
      };
    }
  }
  return { allowed: true };
}

/** The agent identity policy an access control carries (Kubernetes mode); none: any. */
export function agentIdentityOf(access: AccessControl): AgentIdentityPolicy {
  const policy = (access as Partial<{ agentIdentity: AgentIdentityPolicy }>).agentIdentity;
  return policy ?? { identities: [] };
}

/** The node name an agent's registration is authorized for (`register agents <name>`). */
export function agentResourceName(claim: AgentClaim): string {
  return claim.nodeName || claim.hostname;
}
