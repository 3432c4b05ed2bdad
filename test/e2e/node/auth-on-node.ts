/**
 * A pod identity (a ServiceAccount token from `kubectl create token`) against the chart's
 * leader on the e2e node, over the chart's TLS: with no rights, 403 for `/apply` and for
 * `/kill` of its namespace's running task (which keeps running) and PERMISSION_DENIED for
 * Subscribe and agent registration; after RoleBindings to the chart's `mezzo-editor` and
 * `mezzo-framework` ClusterRoles the apply goes through, the kill ends the task and the
 * subscription is accepted, while agent registration stays the agent identity's alone.
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { controllerFetch } from '../../../src/cli/commands/http-client.js';
import type { ControlPlane } from '../support/control-plane.js';
import { probeRegister, probeSubscribe } from '../support/grpc-probes.js';
import { chartCa, leader, RELEASE, serviceAccountToken } from './chart-clients.js';
import { eventually, getJson } from './support.js';

/** POSTs to the leader as `token`, verifying it with the chart's CA. */
async function post(
  ca: Buffer,
  hostPort: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await controllerFetch(
    `https://${hostPort}${path}`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    { ca, serverName: RELEASE.controllerName },
  );
  return { status: res.status, text: await res.text() };
}

/**
 * A pod identity with no rights: 403 for apply and for killing a running task (which
 * keeps running); after RoleBindings the same apply goes through and the kill ends it.
 */
export async function authOnNode(
  cp: ControlPlane,
  taskState: (name: string, ns: string) => Promise<string | undefined>,
): Promise<void> {
  const ca = await chartCa(cp);
  const ns = 'team-node';
  await cp.kubectl(['create', 'namespace', ns]);
  const token = await serviceAccountToken(cp, ns, 'batch');
  const task = (name: string) => ({
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace: ns },
    spec: { command: 'sleep 600', resources: { cpus: 0.1, mem: 16 } },
  });
  // The team's task, placed by the default framework as the administrator applied it.
  await cp.kubectl(['apply', '-f', '-'], JSON.stringify(task('sleeper')));
  await eventually(
    async () => ((await taskState('sleeper', ns)) === 'TASK_RUNNING' ? true : undefined),
    120_000,
    'the sleeper running',
  );
  const { http, grpc: grpcAddress } = await leader(cp);
  const rpc = { address: grpcAddress, ca, serverName: RELEASE.controllerName };
  const sub = await probeSubscribe(rpc, token, ns);
  assert.equal(sub.code, grpc.status.PERMISSION_DENIED, sub.details);
  assert.match(sub.details, /register frameworks\.mezzo\.dev "team-node"/);
  const reg = await probeRegister(rpc, token, 'mezzo-e2e-node');
  assert.equal(reg.code, grpc.status.PERMISSION_DENIED, reg.details);
  const denied = await post(ca, http, '/apply', token, [task('second')]);
  assert.equal(denied.status, 403, denied.text);
  assert.match(denied.text, /system:serviceaccount:team-node:batch/);
  const sleeperId = (
    await getJson<{ status?: { taskId?: string } }>(cp, ['tasks.mezzo.dev', 'sleeper', '-n', ns])
  ).status?.taskId;
  assert.ok(sleeperId, 'the Task object names its task ID');
  const killDenied = await post(ca, http, `/kill?task=${encodeURIComponent(sleeperId)}`, token);
  assert.equal(killDenied.status, 403, killDenied.text);
  assert.equal(await taskState('sleeper', ns), 'TASK_RUNNING');

  // The chart's ClusterRoles for teams: subscribing in the team's role (bound in the
  // controller's namespace), and create and kill in the team's namespace.
  await cp.kubectl([
    'create',
    'rolebinding',
    'team-node-framework',
    '-n',
    RELEASE.ns,
    '--clusterrole=mezzo-framework',
    `--serviceaccount=${ns}:batch`,
  ]);
  await cp.kubectl([
    'create',
    'rolebinding',
    'editor',
    '-n',
    ns,
    '--clusterrole=mezzo-editor',
    `--serviceaccount=${ns}:batch`,
  ]);
  const applied = await eventually(
    async () => {
      const r = await post(ca, http, '/apply', token, [task('second')]);
      return r.status === 403 ? undefined : r;
    },
    60_000,
    'the RoleBinding to take effect',
  );
  assert.equal(applied.status, 200, applied.text);
  const killed = await eventually(
    async () => {
      const r = await post(ca, http, `/kill?task=${encodeURIComponent(sleeperId)}`, token);
      return r.status === 403 ? undefined : r;
    },
    60_000,
    'the kill to be allowed',
  );
  assert.equal(killed.status, 200, killed.text);
  await eventually(
    async () => ((await taskState('sleeper', ns)) === 'TASK_KILLED' ? true : undefined),
    60_000,
    'the sleeper killed',
  );
  const subscribed = await eventually(
    async () => {
      const r = await probeSubscribe(rpc, token, ns);
      return r.code === grpc.status.PERMISSION_DENIED ? undefined : r;
    },
    60_000,
    'the subscription to be allowed',
  );
  assert.equal(subscribed.code, grpc.status.OK, subscribed.details);
  // Only the chart's agent ServiceAccount registers agents, whatever RBAC says.
  const again = await probeRegister(rpc, token, 'mezzo-e2e-node');
  assert.equal(again.code, grpc.status.PERMISSION_DENIED, again.details);
  assert.match(again.details, /only system:serviceaccount:mezzo-system:mezzo-agent/);
  await cp.kubectl(['delete', 'namespace', ns, '--wait=false']);
}
