/**
 * A pod-bound ServiceAccount token on a control plane without kubelets: a Node object and
 * a Pod assigned to it (never run) are enough for the apiserver to issue a token bound to
 * the pod, whose TokenReview names the node (`authentication.kubernetes.io/node-name`).
 */
import type { ControlPlane } from './control-plane.js';

/** Creates Node `node` and Pod `pod` in `namespace` running as `serviceAccount`; returns its token. */
export async function podBoundToken(
  cp: ControlPlane,
  namespace: string,
  serviceAccount: string,
  node: string,
  pod = 'agent-pod',
): Promise<string> {
  const apply = (o: unknown) => cp.kubectl(['apply', '-f', '-'], JSON.stringify(o));
  await apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace },
    spec: {
      nodeName: node,
      serviceAccountName: serviceAccount,
      containers: [{ name: 'a', image: 'none' }],
    },
  });
  const { stdout } = await cp.kubectl([
    '-n',
    namespace,
    'create',
    'token',
    serviceAccount,
    '--bound-object-kind=Pod',
    `--bound-object-name=${pod}`,
  ]);
  return stdout.trim();
}
