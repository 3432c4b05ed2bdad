/**
 * The apiserver clients simulated agents write their tasks' status with (the
 * `statusWrites` option): one per agent, each presenting its own node's token, so that
 * the admission policy checks each agent's writes against its own node, as it does a real
 * agent's, and each under its own client limit, as each real agent has one.
 */
import { readFile } from 'node:fs/promises';
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { taskStatusPatcher, type TaskStatusPatch } from '../kube/task-status-patch.js';

/** Reads the node tokens and the kubeconfig; a bad one is a ValidationError naming it. */
export async function statusPatchers(
  o: { kubeconfig: string; nodeTokensFile: string },
  clock: Clock,
): Promise<(nodeName: string) => TaskStatusPatch | undefined> {
  let tokens: unknown;
  try {
    tokens = JSON.parse(await readFile(o.nodeTokensFile, 'utf8'));
  } catch (err) {
    throw new ValidationError('nodeTokensFile', `cannot read it as JSON: ${String(err)}`);
  }
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens))
    throw new ValidationError('nodeTokensFile', 'must hold an object of node name → token');
  const byNode = new Map<string, string>();
  for (const [node, token] of Object.entries(tokens)) {
    if (typeof token !== 'string' || token === '')
      throw new ValidationError(`nodeTokensFile.${node}`, 'must be a token (a string)');
    byNode.set(node, token);
  }
  const base = new k8s.KubeConfig();
  base.loadFromFile(o.kubeconfig);
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new ValidationError('kubeconfig', 'has no current cluster');
  return (nodeName) => {
    const token = byNode.get(nodeName);
    if (token === undefined) return undefined;
    return taskStatusPatcher((kc) => {
      kc.loadFromOptions({
        clusters: [cluster],
        users: [{ name: nodeName, token }],
        contexts: [{ name: nodeName, cluster: cluster.name, user: nodeName }],
        currentContext: nodeName,
      });
    }, clock);
  };
}
