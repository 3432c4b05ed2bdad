/**
 * What a cluster installed with `agent.writeTaskStatus=true` holds for its agents: the
 * chart's own task-status admission policy and binding, the agent ServiceAccount and its
 * RBAC, rendered with `helm template` for one release and namespace.
 */
import { join } from 'node:path';
import { repoRoot, type ControlPlane } from './control-plane.js';

/** The manifest for release `release` in `namespace`, to `kubectl apply` (and delete). */
export async function agentPolicyManifest(
  cp: ControlPlane,
  release: string,
  namespace: string,
): Promise<string> {
  const { stdout } = await cp.helm([
    'template',
    release,
    join(repoRoot, 'charts/mezzo'),
    '--namespace',
    namespace,
    '--kube-version=1.34.4',
    '--set',
    'agent.writeTaskStatus=true',
    '--show-only',
    'templates/agent-task-status-policy.yaml',
    '--show-only',
    'templates/agent-rbac.yaml',
    '--show-only',
    'templates/agent-serviceaccount.yaml',
  ]);
  return stdout;
}
