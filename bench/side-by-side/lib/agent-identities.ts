/**
 * For `--agent-status-writes`: what a cluster gives each real agent, made for the
 * simulated ones, and the chart's admission policy that checks their writes. Each agent
 * gets a Node object of its hostname, a Pod assigned to that node (never run: no kubelet
 * here), and a ServiceAccount token bound to the pod, whose user info carries the node's
 * name as a DaemonSet pod's token does. The policy, the agent ServiceAccount and its RBAC
 * are the chart's own templates (`helm template --set agent.writeTaskStatus=true`), with
 * the run's namespace (the controller's, where it keeps its grant map) as the release
 * namespace. All of it is made before the timed run and removed after it.
 */
import type * as k8s from '@kubernetes/client-node';
import type { ControlPlane } from '../../../test/e2e/support/control-plane.js';
import { agentPolicyManifest } from '../../../test/e2e/support/agent-policy.js';
import { createAll } from './objects.js';

const RELEASE = 'sbs';
/** The chart's agent ServiceAccount name for release {@link RELEASE}. */
const SERVICE_ACCOUNT = `${RELEASE}-mezzo-agent`;
const IN_FLIGHT = 32;

const podOf = (hostname: string) => `agent-${hostname}`;

/**
 * The chart's policy, binding, agent ServiceAccount and RBAC for release namespace
 * `namespace`, applied; returns the manifest.
 */
export async function applyAgentPolicy(cp: ControlPlane, namespace: string): Promise<string> {
  const manifest = await agentPolicyManifest(cp, RELEASE, namespace);
  await cp.kubectl(['apply', '-f', '-'], manifest);
  return manifest;
}

/** Removes what {@link applyAgentPolicy} applied. */
export async function removeAgentPolicy(cp: ControlPlane, manifest: string): Promise<void> {
  await cp.kubectl(['delete', '--ignore-not-found', '-f', '-'], manifest);
}

/** Makes each agent's Node, Pod and bound token; returns hostname → token. */
export async function agentTokens(
  core: k8s.CoreV1Api,
  namespace: string,
  hostnames: readonly string[],
): Promise<Record<string, string>> {
  const at = (i: number) => hostnames[i] ?? '';
  await createAll(hostnames.length, IN_FLIGHT, at, (name) =>
    core.createNode({ body: { metadata: { name } } }),
  );
  await createAll(hostnames.length, IN_FLIGHT, at, (name) =>
    core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: podOf(name) },
        spec: {
          nodeName: name,
          serviceAccountName: SERVICE_ACCOUNT,
          containers: [{ name: 'agent', image: 'none' }],
        },
      },
    }),
  );
  const tokens: Record<string, string> = {};
  await createAll(hostnames.length, IN_FLIGHT, at, async (name) => {
    const req = await core.createNamespacedServiceAccountToken({
      name: SERVICE_ACCOUNT,
      namespace,
      body: {
        spec: {
          audiences: [],
          expirationSeconds: 7200,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: podOf(name) },
        },
      },
    });
    tokens[name] = req.status?.token ?? '';
  });
  return tokens;
}

/** Removes each agent's Pod and Node. */
export async function removeAgentIdentities(
  core: k8s.CoreV1Api,
  namespace: string,
  hostnames: readonly string[],
): Promise<void> {
  const at = (i: number) => hostnames[i] ?? '';
  const gone = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 404) throw err;
    }
  };
  await createAll(hostnames.length, IN_FLIGHT, at, (name) =>
    gone(core.deleteNamespacedPod({ name: podOf(name), namespace, gracePeriodSeconds: 0 })),
  );
  await createAll(hostnames.length, IN_FLIGHT, at, (name) => gone(core.deleteNode({ name })));
}
