// Agents writing their tasks' RUNNING status (controller --agent-status-writes, agent
// --write-task-status) on a real apiserver, under the chart's own admission policy and
// agent RBAC: the controller grants each task to its agent's node in the namespace's
// grant ConfigMap, the agent (a simulated one, with a token bound to a pod on its node)
// writes RUNNING, and the controller takes that write for its own. An agent the policy
// refuses (its token is bound to another node) still gets its tasks shown RUNNING: the
// controller writes them when its grace ends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRANTS_OBJECT } from '../../../src/controller/task-grants.js';
import { TaskGrantsObject } from '../../../src/kube/task-grants-object.js';
import { startSimAgents, type SimAgents } from '../../../src/sim/index.js';
import { KubernetesStore } from '../../../src/store/kubernetes.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION } from '../../../src/store/types.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { until } from '../../integration/controller/support.js';
import { agentPolicyManifest } from '../support/agent-policy.js';
import { podBoundToken } from '../support/bound-token.js';
import {
  controlPlane,
  repoRoot,
  withCrdsAndNamespace,
  type ControlPlane,
} from '../support/control-plane.js';
import { startKubeController, type KubeController } from '../support/kube-controller.js';

const NS = 'agent-status-writes';
const SYSTEM_NS = 'asw-system';
const RELEASE = 'asw';
const SA = 'asw-mezzo-agent';
// Simulated hostnames are <prefix>-<n>: asw-1 writes as its own node, asw-2 holds a token
// bound to a pod on another node, so the policy refuses its writes.
const GOOD = 'asw-1';
const REFUSED = 'asw-2';
const OTHER_NODE = 'asw-elsewhere';
/** A real agent (task processes in cgroups) on a node of its own. */
const REAL = 'asw-real';
let realAgent: ChildProcess | undefined;

let cp: ControlPlane;
let store: KubernetesStore | undefined;
let kube: KubeController | undefined;
let sim: SimAgents | undefined;
let policy = '';
interface Shown {
  state?: string;
  nodeName?: string;
}
/** Each Task's latest status, from a watch of its own. */
const seen = new Map<string, Shown>();

before(async () => {
  cp = controlPlane();
  await withCrdsAndNamespace(cp, ['crd/tasks.mezzo.dev', 'crd/taskgrants.mezzo.dev'], NS);
  await cp.kubectl(
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${SYSTEM_NS}}\n`,
  );
  // The chart's own policy, binding, agent ServiceAccount and agent RBAC.
  policy = await agentPolicyManifest(cp, RELEASE, SYSTEM_NS);
  await cp.kubectl(['apply', '-f', '-'], policy);
  const dir = tempDir('mezzo-asw-');
  const tokens = {
    [GOOD]: await podBoundToken(cp, SYSTEM_NS, SA, GOOD, 'agent-good'),
    [REFUSED]: await podBoundToken(cp, SYSTEM_NS, SA, OTHER_NODE, 'agent-refused'),
  };
  const nodeTokensFile = join(dir, 'node-tokens.json');
  writeFileSync(nodeTokensFile, JSON.stringify(tokens), { mode: 0o600 });

  store = new KubernetesStore(cp.kubeConfig(), new SystemClock(), silentLogger());
  store.watch('Task', (e) => {
    if (e.object.metadata.namespace !== NS) return;
    seen.set(e.object.metadata.name, e.object.status ?? {});
  });
  kube = await startKubeController(store, NS, {
    grantWriter: new TaskGrantsObject(cp.kubeConfig(), SYSTEM_NS),
  });
  sim = await startSimAgents({
    controller: kube.controller.grpcAddress,
    token: TEST_TOKEN,
    count: 2,
    prefix: RELEASE,
    zones: 0,
    defaultDurationSeconds: 'forever',
    statusWrites: { kubeconfig: cp.kubeconfigPath, nodeTokensFile },
  });
  await sim.allRegistered();
});

after(async () => {
  await cp.kubectl(['delete', 'tasks', '--all', '-n', NS, '--wait=false']).catch(() => undefined);
  realAgent?.kill('SIGKILL');
  await sim?.close();
  await kube?.stop();
  await store?.close();
  if (policy)
    await cp.kubectl(['delete', '--ignore-not-found', '-f', '-'], policy).catch(() => undefined);
  for (const node of [GOOD, OTHER_NODE, REAL])
    await cp.kubectl(['delete', 'node', node, '--ignore-not-found']).catch(() => undefined);
  await cp.kubectl(['delete', 'namespace', NS, SYSTEM_NS, '--wait=false']).catch(() => undefined);
  cp.stop();
});

/** Tasks `names` that may run only on `hostname`, forever. */
function tasksOn(hostname: string, names: string[]): string {
  return names
    .map((name) =>
      JSON.stringify({
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: { name, namespace: NS },
        spec: {
          command: 'sleep 600',
          resources: { cpus: 0.1, mem: 16 },
          constraints: [{ attribute: 'hostname', operator: 'EQUALS', value: hostname }],
        },
      }),
    )
    .join('\n---\n');
}

async function agentWrites(): Promise<number> {
  const m = kube?.controller.core.m.agentStatusWrites;
  return m ? (await m.get()).values.reduce((n, v) => n + v.value, 0) : NaN;
}

/** The names of this namespace's Tasks the controller's grant map holds. */
async function granted(): Promise<string[]> {
  const { stdout } = await cp.kubectl([
    'get',
    'taskgrants',
    GRANTS_OBJECT,
    '-n',
    SYSTEM_NS,
    '-o',
    'json',
  ]);
  const data =
    (JSON.parse(stdout) as { spec?: { grants?: Record<string, string> } }).spec?.grants ?? {};
  return Object.keys(data)
    .filter((k) => k.startsWith(`${NS}.`))
    .map((k) => k.slice(NS.length + 1));
}

/** Which of `names` are still granted after their grants had 10 s to be taken back. */
async function stillGranted(names: string[]): Promise<string[]> {
  let left = names;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const g = await granted();
    left = names.filter((n) => g.includes(n));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return left;
}

const running = (names: string[]) => names.every((n) => seen.get(n)?.state === 'TASK_RUNNING');

test("an agent writes its tasks' RUNNING under its grant; the controller writes none of them", async () => {
  const names = ['good-1', 'good-2', 'good-3', 'good-4'];
  const before = await agentWrites();
  await cp.kubectl(['apply', '-f', '-'], tasksOn(GOOD, names));
  await until(
    () => running(names),
    30_000,
    () => `RUNNING: ${JSON.stringify([...seen])}`,
  );
  for (const n of names) assert.equal(seen.get(n)?.nodeName, GOOD);
  // Each was the agent's write, taken for the controller's: 4 more.
  const deadline = Date.now() + 10_000;
  const taken = async () => (await agentWrites()) - before;
  while ((await taken()) < names.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(await taken(), names.length);
  // Their grants are taken back once the writes are seen.
  assert.deepEqual(await stillGranted(names), []);
});

test('a task whose agent the policy refuses is written RUNNING by the controller after its grace', async () => {
  const names = ['refused-1', 'refused-2'];
  const before = await agentWrites();
  await cp.kubectl(['apply', '-f', '-'], tasksOn(REFUSED, names));
  await until(
    () => running(names),
    30_000,
    () => `RUNNING: ${JSON.stringify([...seen])}`,
  );
  for (const n of names) assert.equal(seen.get(n)?.nodeName, REFUSED);
  assert.equal((await agentWrites()) - before, 0, 'no write of the refused agent was taken');
  // The grant is taken back once the controller wrote the node (its write is seen first).
  assert.deepEqual(await stillGranted(names), []);
});

test('the refused agent could not have written: the apiserver says why', async () => {
  // The same write the refused agent tries, made with its token, is denied by the policy.
  const token = await podBoundToken(cp, SYSTEM_NS, SA, OTHER_NODE, 'agent-refused');
  const uid = (
    JSON.parse((await cp.kubectl(['get', 'task', 'refused-1', '-n', NS, '-o', 'json'])).stdout) as {
      metadata: { uid: string };
    }
  ).metadata.uid;
  assert.ok(uid);
  await assert.rejects(
    cp.kubectl([
      `--token=${token}`,
      '--kubeconfig=/dev/null',
      `--server=${cp.server}`,
      `--certificate-authority=${cp.caCertPath}`,
      'patch',
      'task',
      'refused-1',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { state: 'TASK_RUNNING', nodeName: REFUSED } }),
    ]),
    /ValidatingAdmissionPolicy/,
  );
});

test("a real agent (processes in cgroups) writes its task's RUNNING with its pod-bound token", async () => {
  const token = await podBoundToken(cp, SYSTEM_NS, SA, REAL, 'agent-real');
  const dir = tempDir('mezzo-asw-real-');
  // The agent's kubeconfig: the apiserver, its CA and the agent's token, as in a pod.
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: cp.server, 'certificate-authority': cp.caCertPath } },
      ],
      users: [{ name: 'agent', user: { token } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'agent' } }],
      'current-context': 'c',
    }),
    { mode: 0o600 },
  );
  const controller = kube?.controller;
  assert.ok(controller);
  realAgent = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/mezzo.js'),
      'agent',
      '--controller',
      controller.grpcAddress,
      '--node-name',
      REAL,
      '--hostname',
      REAL,
      '--kubeconfig',
      kubeconfig,
      '--write-task-status',
      '--work-dir',
      join(dir, 'work'),
      '--port',
      '0',
      '--cgroup-root',
      testCgroupRoot('asw-real'),
      '--resources',
      'cpus:1;mem:256',
    ],
    { stdio: 'ignore' },
  );
  await until(
    () => [...controller.core.agents.values()].some((a) => a.info.node_name === REAL),
    20_000,
    'the real agent to register',
  );
  const real = [...controller.core.agents.values()].find((a) => a.info.node_name === REAL);
  assert.equal(real?.info.writes_task_status, true, "it says it writes its tasks' status");
  const before = await agentWrites();
  await cp.kubectl(['apply', '-f', '-'], tasksOn(REAL, ['real-1']));
  await until(
    () => running(['real-1']),
    30_000,
    () => `RUNNING: ${JSON.stringify([...seen])}`,
  );
  assert.equal(seen.get('real-1')?.nodeName, REAL);
  const deadline = Date.now() + 10_000;
  while ((await agentWrites()) - before < 1 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(
    (await agentWrites()) - before,
    1,
    "the agent's write was taken for the controller's",
  );
  // Its task ends with its object (the controller kills it) before the agent goes.
  await cp.kubectl(['delete', 'task', 'real-1', '-n', NS]);
});
