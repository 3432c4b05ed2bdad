/**
 * An agent's apiserver client for its tasks' status (src/agent-sidecar/task-status-writer.ts):
 * a JSON merge patch of a Task's status subresource, under a client limit of its own.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
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

/** A status patcher on the kubeconfig `load` fills, limited to `limit`. */
export function taskStatusPatcher(
  load: (kc: k8s.KubeConfig) => void,
  clock: Clock,
  limit: RateLimit = AGENT_KUBE_LIMIT,
): TaskStatusPatch {
  const { kc } = kubeConfigsFor(['kc'], limit, clock, load);
  const api = pooledApiClient(kc, k8s.CustomObjectsApi);
  const header = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  return async (namespace, name, status) => {
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
  };
}
