/**
 * An agent's apiserver client for its tasks' status (src/agent-sidecar/task-status-writer.ts):
 * a JSON merge patch of a Task's status subresource, under a client limit of its own.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import { ThrottledError } from '../shared/errors.js';
import { pooledApiClient } from './pooled-client.js';
import { kubeConfigsFor, type RateLimit } from './rate-limit.js';

/**
 * The agent's client limit by default: a kubelet's (`kubeAPIQPS` 50, `kubeAPIBurst` 100
 * since Kubernetes 1.27), whose pod-status writes are the same kind of work.
 */
export const AGENT_KUBE_LIMIT: RateLimit = { qps: 50, burst: 100 };

/** Patches Task `name`'s status in `namespace` with `status` (a merge patch). */
export type TaskStatusPatch = (
  namespace: string,
  name: string,
  status: Readonly<Record<string, unknown>>,
) => Promise<void>;

/** Without a usable `Retry-After`, a 429 waits as long as kube-apiserver's usual answer, 1 s. */
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** A `Retry-After` above this is capped: the writer gives up long before anyway. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait a 429 asks for, from its `Retry-After` (whole seconds; an HTTP date is not
 * sent by kube-apiserver and reads as the default).
 */
export function retryAfterMs(headers: Readonly<Record<string, string>> | undefined): number {
  const text = headers?.['retry-after'];
  const s = text === undefined || !/^\d{1,6}$/.test(text.trim()) ? undefined : Number(text);
  return s === undefined ? DEFAULT_RETRY_AFTER_MS : Math.min(s * 1000, MAX_RETRY_AFTER_MS);
}

/**
 * A status patcher on the kubeconfig `load` fills, limited to `limit`. A refusal for load
 * (429) is thrown as a {@link ThrottledError} carrying the server's `Retry-After`.
 */
export function taskStatusPatcher(
  load: (kc: k8s.KubeConfig) => void,
  clock: Clock,
  limit: RateLimit = AGENT_KUBE_LIMIT,
): TaskStatusPatch {
  const { kc } = kubeConfigsFor(['kc'], limit, clock, load);
  const api = pooledApiClient(kc, k8s.CustomObjectsApi);
  const header = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  return async (namespace, name, status) => {
    try {
      await api.patchNamespacedCustomObjectStatus(
        {
          group: 'mezzo.dev',
          version: 'v1alpha1',
          plural: 'tasks',
          namespace,
          name,
          body: { status },
        },
        header,
      );
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 429)
        throw new ThrottledError(
          `PATCH tasks/status ${namespace}/${name}`,
          retryAfterMs(err.headers),
          {
            cause: err,
          },
        );
      throw err;
    }
  };
}
