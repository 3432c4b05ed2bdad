/**
 * Attributes from the Kubernetes node's labels: when the agent runs in a cluster (or is
 * given a kubeconfig) and knows its node name, each label `key=value` becomes the
 * attribute `key:value`. Flags win over labels with the same name. The client library is
 * loaded only when this is used.
 */
import type { Attribute } from '../gen/mezzo/v1/Attribute.js';

/** Reads the node's labels as attributes. */
export async function nodeLabelAttributes(
  nodeName: string,
  kubeconfig: string | undefined,
): Promise<Attribute[]> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const node = await api.readNode({ name: nodeName });
  return Object.entries(node.metadata?.labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, text]) => ({ name, text }));
}

/** Labels first, then flag attributes replacing labels of the same name. */
export function mergeAttributes(labels: Attribute[], flags: Attribute[]): Attribute[] {
  const names = new Set(flags.map((a) => a.name));
  return [...labels.filter((a) => !names.has(a.name)), ...flags];
}
