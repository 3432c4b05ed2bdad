/**
 * The Framework object a subscribed framework is mirrored into, and the check that a
 * subscription's FrameworkInfo makes a valid one. The check runs before a subscription is
 * authorized: a role the CRD refuses (empty, `../x`, 20,000 of them) used to subscribe the
 * framework, reach the allocator and the authorizer (one question a role), and leave the
 * mirror retrying a write the store would always refuse.
 */
import { validateObject } from '../api/validate.js';
import { MAX_FAILOVER_TIMEOUT_S } from '../api/v1alpha1/framework.js';
import { labelValue } from '../kube/labels.js';
import { API_VERSION, type StoredObject } from '../store/types.js';

/** Label on a Framework mirror naming the framework (its name in FrameworkInfo). */
export const FRAMEWORK_NAME_LABEL = 'mezzo.dev/framework-name';
/**
 * Annotation on a Framework mirror naming the user that subscribed the framework: after a
 * restart, only that user may resubscribe with its ID.
 */
export const FRAMEWORK_SUBSCRIBER_ANNOTATION = 'mezzo.dev/subscribed-by';
/** Finalizer on a Framework mirror: deletion tears the framework down first. */
export const FRAMEWORK_FINALIZER = 'mezzo.dev/teardown';
/**
 * The longest failover timeout a Framework object holds (the CRD's maximum, a year). Mesos
 * takes any, and frameworks ask for years: the controller keeps what was asked and the
 * object shows at most this.
 */
export const MAX_SHOWN_FAILOVER_S = MAX_FAILOVER_TIMEOUT_S;

/** What of a framework its mirror shows. */
export interface MirroredFramework {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly failoverTimeoutSeconds: number;
  /** The user that subscribed it, when known. */
  readonly subscriber?: string;
}

/** The Framework object that mirrors `fw` in `namespace`, as first created. */
export function frameworkObject(fw: MirroredFramework, namespace: string): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Framework',
    metadata: {
      name: fw.id,
      namespace,
      labels: { [FRAMEWORK_NAME_LABEL]: labelValue(fw.name) },
      ...(fw.subscriber
        ? { annotations: { [FRAMEWORK_SUBSCRIBER_ANNOTATION]: fw.subscriber } }
        : {}),
      finalizers: [FRAMEWORK_FINALIZER],
    },
    spec: {
      roles: [...fw.roles],
      failoverTimeoutSeconds: Math.min(fw.failoverTimeoutSeconds, MAX_SHOWN_FAILOVER_S),
      scheduler: { kind: 'External' },
    },
  };
}

/**
 * Why a subscription asking for `roles` and `failoverTimeoutSeconds` cannot be mirrored
 * (the CRD's own field errors, one a line), or undefined when it can.
 */
export function subscriptionProblem(
  roles: readonly string[],
  failoverTimeoutSeconds: number,
): string | undefined {
  if (!Number.isFinite(failoverTimeoutSeconds) || failoverTimeoutSeconds < 0)
    return `failover_timeout_seconds must be a finite number of seconds, 0 or more (got ${String(failoverTimeoutSeconds)})`;
  // Any valid ID and name: only what the subscription chose is checked.
  const probe = frameworkObject(
    { id: 'probe', name: 'probe', roles, failoverTimeoutSeconds },
    'default',
  );
  const v = validateObject(probe);
  if (v.ok) return undefined;
  // A list of 20,000 bad roles is 20,000 errors: the first few say enough.
  // The apiserver's note that rules were skipped after an error says nothing here.
  const errors = v.errors.filter((e) => !e.message.startsWith('<nil>'));
  const shown = errors.slice(0, SHOWN_ERRORS).map((e) => clip(e.message.replace(/^spec\./, '')));
  const more = errors.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${String(more)} more` : '');
}

const SHOWN_ERRORS = 3;
const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
