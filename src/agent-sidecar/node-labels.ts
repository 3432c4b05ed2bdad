/**
 * Attributes from the Kubernetes node's labels: when the agent runs in a cluster (or is
 * given a kubeconfig) and knows its node name, each label `key=value` becomes the
 * attribute `key:value`. Flags win over labels with the same name. The client library is
 * loaded only when this is used.
 */
import type { Attribute } from '../gen/mezzo/v1/Attribute.js';
import { parseQuantity } from '../allocator/parse.js';

/** What the agent takes from its Kubernetes Node object. */
export interface NodeFacts {
  attributes: Attribute[];
  /** The node's allocatable CPU and memory, when it reports them. */
  allocatable?: { cpus: number; memMiB: number };
}

/** Reads the node's labels (as attributes) and allocatable capacity. */
export async function readNode(
  nodeName: string,
  kubeconfig: string | undefined,
): Promise<NodeFacts> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const node = await api.readNode({ name: nodeName });
  const attributes = Object.entries(node.metadata?.labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, text]) => ({ name, text }));
  const alloc = node.status?.allocatable;
  const cpu = alloc?.cpu;
  const memory = alloc?.memory;
  if (!cpu || !memory) return { attributes };
  // Kubernetes quantities ("3500m", "16Gi") to cores and MiB, with the allocator's parser.
  return {
    attributes,
    allocatable: {
      cpus: parseQuantity('cpus', cpu, 'status.allocatable.cpu') / 1000,
      memMiB: parseQuantity('mem', memory, 'status.allocatable.memory') / 1000,
    },
  };
}

/** Reads the node's labels as attributes. */
export async function nodeLabelAttributes(
  nodeName: string,
  kubeconfig: string | undefined,
): Promise<Attribute[]> {
  return (await readNode(nodeName, kubeconfig)).attributes;
}

/** Labels first, then flag attributes replacing labels of the same name. */
export function mergeAttributes(labels: Attribute[], flags: Attribute[]): Attribute[] {
  const names = new Set(flags.map((a) => a.name));
  return [...labels.filter((a) => !names.has(a.name)), ...flags];
}
