/**
 * A controller in Kubernetes mode (the access control `mezzo controller --kube-auth`
 * builds: TokenReview, SubjectAccessReview, the pinned agent identity) on a real
 * apiserver, called with real ServiceAccount tokens from `kubectl create token`. A pod
 * identity with no rights gets 403 for apply and kill and PERMISSION_DENIED for subscribe
 * and agent registration; after RoleBindings the same calls get through; an applied object
 * records who asked. Only the agent ServiceAccount registers an agent, and only for the
 * node its pod-bound token names.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { serviceAccountUser } from '../../../src/auth/agent-identity.js';
import { kubeServerAccess } from '../../../src/auth/kube-flags.js';
import { Controller } from '../../../src/controller/controller.js';
import { REQUESTED_BY_ANNOTATION } from '../../../src/controller/http/requested-by.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { tempDir } from '../../support/cleanup.js';
import { podBoundToken } from '../support/bound-token.js';
import { controlPlane, type ControlPlane } from '../support/control-plane.js';
import { probeRegister, probeSubscribe, type ProbeResult } from '../support/grpc-probes.js';

const NS = 'mezzo-ctl-auth';
const TEAM = 'team-ctl';
let cp: ControlPlane;
let controller: Controller;
let store: EmbeddedStore;
let teamToken = '';
let agentToken = '';

const tok = async (ns: string, sa: string, ...extra: string[]) =>
  (await cp.kubectl(['-n', ns, 'create', 'token', sa, ...extra])).stdout.trim();

before(async () => {
  cp = controlPlane();
  await cp.kubectl(['create', 'namespace', NS]);
  await cp.kubectl(['create', 'namespace', TEAM]);
  await cp.kubectl(['-n', TEAM, 'create', 'serviceaccount', 'batch']);
  await cp.kubectl(['-n', NS, 'create', 'serviceaccount', 'agent']);
  teamToken = await tok(TEAM, 'batch');
  agentToken = await podBoundToken(cp, NS, 'agent', 'ctl-node-1');
  const clock = new SystemClock();
  const metrics = new MetricsRegistry();
  const { access } = kubeServerAccess(
    {
      kubeAuth: true,
      agentIdentity: [serviceAccountUser(NS, 'agent')],
      // Short caches: the test waits out a denial after each RoleBinding.
      tokenCacheTtl: 30,
      accessCacheTtl: 1,
      tlsReload: 10,
    },
    cp.kubeConfig(),
    clock,
    metrics,
  );
  store = new EmbeddedStore(join(tempDir('mezzo-ctl-auth-'), 'state.json'), clock);
  controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics,
    store,
    access,
    taskNamespace: NS,
    grpcPort: 0,
    httpPort: 0,
  });
  await controller.start();
});
after(async () => {
  await controller.stop();
  for (const args of [
    ['delete', 'namespace', TEAM, NS, '--wait=false'],
    ['delete', 'node', 'ctl-node-1', '--ignore-not-found'],
    ['delete', 'clusterrolebinding', 'ctl-agents', '--ignore-not-found'],
    ['delete', 'clusterrole', 'ctl-agents', '--ignore-not-found'],
  ]) {
    await cp.kubectl(args).catch(() => undefined);
  }
  cp.stop();
});

const task = {
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name: 'job-1', namespace: TEAM },
  spec: { command: 'true', resources: { cpus: 0.1, mem: 16 } },
};

async function http(method: string, path: string, bearer: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${controller.httpPort}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
}

/** Subscribes as a framework in `role`; OK once the first event arrives. */
function subscribe(bearer: string, role: string): Promise<ProbeResult> {
  return probeSubscribe({ address: controller.grpcAddress }, bearer, role);
}

/** Registers an agent for `node`; OK once `registered` arrives, else the stream's status. */
function register(bearer: string, node: string): Promise<ProbeResult> {
  return probeRegister({ address: controller.grpcAddress }, bearer, node);
}

/** A Role (with namespace) or ClusterRole on mezzo.dev, applied as YAML (kubectl create role asks discovery). */
async function role(
  name: string,
  namespace: string | undefined,
  resource: string,
  verbs: string[],
  names?: string[],
) {
  await cp.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: namespace ? 'Role' : 'ClusterRole',
      metadata: { name, ...(namespace ? { namespace } : {}) },
      rules: [
        {
          apiGroups: ['mezzo.dev'],
          resources: [resource],
          verbs,
          ...(names ? { resourceNames: names } : {}),
        },
      ],
    }),
  );
}

/** Retries `attempt` until it gives `want` (RBAC's caches and ours catch up), or gives up. */
async function eventually<T>(attempt: () => Promise<T>, ok: (t: T) => boolean): Promise<T> {
  let last = await attempt();
  for (let i = 0; i < 60 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await attempt();
  }
  return last;
}

test('no token, or a token the apiserver rejects: 401 and UNAUTHENTICATED', async () => {
  assert.equal((await http('POST', '/apply', 'garbage', [task])).status, 401);
  assert.equal((await subscribe('garbage', 'r')).code, grpc.status.UNAUTHENTICATED);
});

test('a pod identity with no rights: 403 for apply and kill, PERMISSION_DENIED for subscribe and agent registration', async () => {
  const apply = await http('POST', '/apply', teamToken, [task]);
  assert.equal(apply.status, 403);
  assert.match(
    apply.body.error?.message ?? '',
    /system:serviceaccount:team-ctl:batch.*create tasks\.mezzo\.dev/,
  );
  assert.equal((await http('POST', '/kill?task=job-1', teamToken)).status, 403);
  const sub = await subscribe(teamToken, 'team-ctl');
  assert.equal(sub.code, grpc.status.PERMISSION_DENIED);
  assert.match(sub.details, /register frameworks\.mezzo\.dev "team-ctl"/);
  const reg = await register(teamToken, 'ctl-node-1');
  assert.equal(reg.code, grpc.status.PERMISSION_DENIED);
});

test('after RoleBindings the same calls get through, and the write records who asked', async () => {
  await role('tasks', TEAM, 'tasks', ['create', 'get', 'update', 'patch', 'kill']);
  await cp.kubectl([
    '-n',
    TEAM,
    'create',
    'rolebinding',
    'tasks',
    '--role=tasks',
    `--serviceaccount=${TEAM}:batch`,
  ]);
  await role('fw', NS, 'frameworks', ['register'], ['team-ctl']);
  // A task id the controller does not run is asked about in the controller's namespace.
  await role('kill', NS, 'tasks', ['kill']);
  await cp.kubectl([
    '-n',
    NS,
    'create',
    'rolebinding',
    'kill',
    '--role=kill',
    `--serviceaccount=${TEAM}:batch`,
  ]);
  await cp.kubectl([
    '-n',
    NS,
    'create',
    'rolebinding',
    'fw',
    '--role=fw',
    `--serviceaccount=${TEAM}:batch`,
  ]);
  const apply = await eventually(
    () => http('POST', '/apply', teamToken, [task]),
    (r) => r.status !== 403,
  );
  assert.equal(apply.status, 200, JSON.stringify(apply.body));
  const saved = await store.get('Task', 'job-1', TEAM);
  assert.equal(
    saved?.metadata.annotations?.[REQUESTED_BY_ANNOTATION],
    `system:serviceaccount:${TEAM}:batch`,
  );
  // Authorized now; the task is not running, so the answer is about the task, not the caller.
  const kill = await eventually(
    () => http('POST', `/kill?task=job-1`, teamToken),
    (r) => r.status !== 403,
  );
  assert.notEqual(kill.status, 403);
  assert.notEqual(kill.status, 401);
  const sub = await eventually(
    () => subscribe(teamToken, 'team-ctl'),
    (r) => r.code === grpc.status.OK,
  );
  assert.equal(sub.code, grpc.status.OK, sub.details);
  assert.equal((await subscribe(teamToken, 'other-role')).code, grpc.status.PERMISSION_DENIED);
});

test('agent registration: RBAC alone is not enough; the agent identity registers only for its own node', async () => {
  // Even granted `register agents`, a team's identity is not the pinned agent identity.
  await role('ctl-agents', undefined, 'agents', ['register']);
  await cp.kubectl([
    'create',
    'clusterrolebinding',
    'ctl-agents',
    '--clusterrole=ctl-agents',
    `--serviceaccount=${TEAM}:batch`,
    `--serviceaccount=${NS}:agent`,
  ]);
  const team = await register(teamToken, 'ctl-node-1');
  assert.equal(team.code, grpc.status.PERMISSION_DENIED);
  assert.match(
    team.details,
    /only system:serviceaccount:mezzo-ctl-auth:agent may register an agent/,
  );
  const elsewhere = await register(agentToken, 'ctl-node-2');
  assert.equal(elsewhere.code, grpc.status.PERMISSION_DENIED);
  assert.match(elsewhere.details, /bound to node ctl-node-1/);
  const own = await eventually(
    () => register(agentToken, 'ctl-node-1'),
    (r) => r.code === grpc.status.OK,
  );
  assert.equal(own.code, grpc.status.OK, own.details);
});
