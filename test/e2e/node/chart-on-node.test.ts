// The chart on a real node (test/e2e/node.sh: containerd, kubelet, scheduler, controller
// manager): the image built without a registry (scripts/build-image.sh), `helm install`
// with only the image reference and pull policy set, the demo tasks in cgroups the agent pod
// makes on the host, a memory hog killed for memory, the agent pod deleted and recreated
// by its DaemonSet with the running task untouched, the CLI and the chart's TLS (agents'
// port included, a rotation without restart), RBAC for a pod identity, the leader
// controller's pod deleted under the example SDK framework, the dashboard's browser flows,
// `helm upgrade` and `helm uninstall`. Figures (install to first task RUNNING, agent pod
// restart to tasks re-reported, leader deletion to the new leader serving, the PIDs) are
// printed as JSON lines prefixed with `figure:`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';
import { tempDir } from '../../support/cleanup.js';
import {
  cgroupPids,
  componentPods,
  eventually,
  existingTaskCgroups,
  getJson,
  killAgentTasks,
  memoryLimit,
  oldestPid,
  podReady,
  taskCgroups,
  type Pod,
} from './support.js';
import { archiveFacts, dockerfileFacts } from './image-layout.js';
import { chartCa, servingLeader, serviceAccountToken } from './chart-clients.js';
import { authOnNode } from './auth-on-node.js';
import {
  agentPortOverTls,
  cliThroughLease,
  leaderFailover,
  rotateWithoutRestart,
} from './chart-scenarios.js';
import { dashboardOnNode } from './dashboard-on-node.js';

const execFileAsync = promisify(execFile);
const NS = 'mezzo-system';
const IMAGE_REPO = 'mezzo.local/mezzo';
const IMAGE_TAG = 'e2e';
const chart = join(repoRoot, 'charts/mezzo');
let cp: ControlPlane;
let env: Record<string, string>;
let preexisting: Set<string> = new Set();
let archive = '';
const figures: Record<string, number> = {};

before(async () => {
  preexisting = existingTaskCgroups();
  cp = controlPlane({ node: true });
  env = Object.fromEntries(
    readFileSync(join(cp.dir, 'env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const socket = env.MEZZO_CONTAINERD_SOCK;
  assert.ok(socket, 'the node is up');
  archive = join(tempDir('mezzo-image-'), 'mezzo.oci.tar');
  await execFileAsync(
    'bash',
    [
      join(repoRoot, 'scripts/build-image.sh'),
      '--import',
      socket,
      '--out',
      archive,
      `${IMAGE_REPO}:${IMAGE_TAG}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
});

after(() => {
  // Printed even when a step failed: the figures measured up to there.
  console.log(`figure: ${JSON.stringify(figures)}`);
  killAgentTasks(preexisting);
  cp.stop();
});

interface TaskObject {
  metadata: { name: string };
  status?: { state?: string; reason?: string; message?: string; agentId?: string };
}

let adminToken = '';

async function taskState(name: string, ns = 'default'): Promise<TaskObject['status']> {
  return (await getJson<TaskObject>(cp, ['tasks.mezzo.dev', name, '-n', ns])).status;
}

async function waitTask(name: string, state: string, ms: number): Promise<TaskObject['status']> {
  return eventually(
    async () => {
      const st = await taskState(name);
      return st?.state === state ? st : undefined;
    },
    ms,
    `task ${name} ${state}`,
  );
}

async function readyPods(component: string, want: number): Promise<Pod[]> {
  return eventually(
    async () => {
      const pods = await componentPods(cp, NS, component);
      return pods.length === want && pods.every(podReady) ? pods : undefined;
    },
    180_000,
    `${String(want)} ready ${component} pod(s)`,
  );
}

/** The pids in the ticker task's cgroup: its shell and the shell's current `sleep`. */
function tickerPids(): number[] {
  const dir = taskCgroups().find((d) => d.includes('ticker'));
  return dir ? cgroupPids(dir) : [];
}

test("the registry-free image keeps the Dockerfile's layout, entrypoint, environment and user", async () => {
  const want = dockerfileFacts(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const got = await archiveFacts(archive);
  assert.equal(got.workingDir, want.workingDir);
  assert.equal(got.user, want.user);
  assert.deepEqual(got.entrypoint, want.entrypoint);
  assert.deepEqual(got.cmd, want.cmd);
  for (const e of want.env) assert.ok(got.env.includes(e), `ENV ${e}`);
  const paths = new Set(got.paths);
  assert.ok(want.paths.length >= 6, `the Dockerfile copies ${want.paths.join(', ')}`);
  for (const p of want.paths) assert.ok(paths.has(p), `${p} is in the image`);
  // Production dependencies only, as `npm prune --omit=dev` leaves them.
  for (const dev of ['typescript', 'eslint', 'prettier']) {
    assert.ok(!paths.has(`opt/mezzo/node_modules/${dev}`), `${dev} is not in the image`);
  }
  assert.ok(paths.has('opt/mezzo/node_modules/@grpc/grpc-js'), 'runtime dependencies are');
  assert.ok(paths.has('usr/local/bin/node'), 'node where the official image has it');
  // The demo's `web` task runs python3 -m http.server (the Dockerfile installs python3).
  assert.ok(paths.has('usr/bin/python3'), 'python3 is in the image');
});

let installedAt = 0;

test('helm install with only the image set: controllers Ready, leader elected, agent registered', async () => {
  installedAt = Date.now();
  await cp.helm([
    'install',
    'mezzo',
    chart,
    '--namespace',
    NS,
    '--create-namespace',
    '--set',
    `image.repository=${IMAGE_REPO}`,
    '--set',
    `image.tag=${IMAGE_TAG}`,
    '--set',
    'image.pullPolicy=Never',
  ]);
  const controllers = await readyPods('controller', 2);
  await readyPods('agent', 1);
  figures.installToPodsReadyMs = Date.now() - installedAt;

  const lease = await getJson<{ spec: { holderIdentity?: string } }>(cp, [
    'lease',
    'mezzo-controller',
    '-n',
    NS,
  ]);
  assert.ok(
    controllers.some((p) => lease.spec.holderIdentity?.includes(p.metadata.name)),
    `the lease holder ${String(lease.spec.holderIdentity)} is a controller pod`,
  );

  const node = await getJson<{
    metadata: { labels: Record<string, string> };
    status: { allocatable: { cpu: string; memory: string } };
  }>(cp, ['node', env.MEZZO_NODE ?? '']);
  const agent = await eventually(
    async () => {
      const list = await getJson<{
        items: {
          spec: { nodeName?: string };
          status?: {
            state?: string;
            attributes?: Record<string, string>;
            total?: { cpus?: number; mem?: number };
          };
        }[];
      }>(cp, ['agents.mezzo.dev']);
      return list.items.find((a) => a.status?.state === 'Active');
    },
    60_000,
    'an Active Agent object',
  );
  assert.equal(agent.spec.nodeName, env.MEZZO_NODE);
  for (const [k, v] of Object.entries(node.metadata.labels)) {
    assert.equal(agent.status?.attributes?.[k], v, `node label ${k} is an attribute`);
  }
  // The chart's default reserve (0.5 cpus, 512 MiB) held back from what the kubelet reports.
  const total = agent.status?.total ?? {};
  const cpu = node.status.allocatable.cpu;
  const cores = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  assert.equal(total.cpus, cores - 0.5);
  const ki = /^(\d+)Ki$/.exec(node.status.allocatable.memory)?.[1];
  assert.ok(ki, `allocatable memory ${node.status.allocatable.memory} in Ki`);
  assert.equal(total.mem, Math.floor(Number(ki) / 1024 - 512));
});

test('the demo runs on the node: tasks in their own cgroups with limits, a memory hog killed', async () => {
  await cp.kubectl(['apply', '-n', 'default', '-f', join(repoRoot, 'examples/demo.yaml')]);
  await waitTask('ticker', 'TASK_RUNNING', 120_000);
  figures.installToFirstTaskRunningMs = Date.now() - installedAt;
  const hello = await waitTask('hello', 'TASK_FINISHED', 60_000);
  assert.ok(hello);
  // python3 -m http.server: RUNNING now, and still RUNNING after the agent restart below
  // (without python3 in the image it ends TASK_FAILED, exit 127).
  await waitTask('web', 'TASK_RUNNING', 60_000);
  const dir = taskCgroups().find((d) => d.includes('ticker'));
  assert.ok(dir, 'the ticker has a cgroup under the agent root');
  assert.equal(memoryLimit(dir), 32 * 1048576);
  assert.ok(cgroupPids(dir).length > 0, 'the ticker runs in its cgroup');

  await cp.kubectl(
    ['apply', '-n', 'default', '-f', '-'],
    [
      'apiVersion: mezzo.dev/v1alpha1',
      'kind: Task',
      'metadata: {name: hog}',
      'spec:',
      '  command: dd if=/dev/zero of=/dev/null bs=256M count=1',
      '  resources: {cpus: 0.1, mem: 64}',
      '',
    ].join('\n'),
  );
  const hog = await waitTask('hog', 'TASK_FAILED', 120_000);
  assert.equal(hog?.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
});

test('the agent pod deleted: the DaemonSet recreates it and the running task keeps its process', async () => {
  const before = tickerPids();
  const shell = oldestPid(before);
  assert.ok(shell !== undefined, 'the ticker runs');
  const [old] = await componentPods(cp, NS, 'agent');
  assert.ok(old);
  const deletedAt = Date.now();
  await cp.kubectl(['delete', 'pod', '-n', NS, old.metadata.name, '--wait=true']);
  const [fresh] = await eventually(
    async () => {
      const pods = await componentPods(cp, NS, 'agent');
      return pods.length === 1 && pods[0]?.metadata.uid !== old.metadata.uid && pods.every(podReady)
        ? pods
        : undefined;
    },
    180_000,
    'a new Ready agent pod',
  );
  assert.ok(fresh);
  figures.agentPodDeleteToReadyMs = Date.now() - deletedAt;
  // The new agent's own log (kubectl logs, through the kubelet): it recovered the task from
  // its checkpoint, then registered with the controller.
  await eventually(
    async () => {
      const { stdout } = await cp.kubectl(['logs', '-n', NS, fresh.metadata.name]);
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { message?: string; tasks?: number });
      const started = lines.findIndex((l) => l.message === 'agent started' && (l.tasks ?? 0) >= 1);
      return started >= 0 && lines.slice(started).some((l) => l.message === 'registered')
        ? true
        : undefined;
    },
    120_000,
    'the new agent recovering the task and registering',
  );
  figures.agentPodDeleteToTaskReportedMs = Date.now() - deletedAt;
  assert.equal((await taskState('ticker'))?.state, 'TASK_RUNNING');
  const after = tickerPids();
  console.log(`figure: ${JSON.stringify({ tickerPidsBefore: before, tickerPidsAfter: after })}`);
  assert.ok(after.includes(shell), `the ticker's shell ${String(shell)} still runs`);
  assert.equal((await taskState('web'))?.state, 'TASK_RUNNING', 'python3 serves in the image');
});

test('mezzo get tasks and logs through the Lease with the chart CA; the agent port serves TLS', async () => {
  adminToken = await serviceAccountToken(cp, 'default', 'e2e-admin');
  await cp.kubectl([
    'create',
    'clusterrolebinding',
    'e2e-admin',
    '--clusterrole=cluster-admin',
    '--serviceaccount=default:e2e-admin',
  ]);
  await eventually(
    async () => {
      await cliThroughLease(cp, adminToken);
      return true;
    },
    60_000,
    'the CLI through the Lease',
  );
  await agentPortOverTls(cp, adminToken);
});

test('a pod identity with no rights: 403 and PERMISSION_DENIED; after RoleBindings apply, kill and subscribe work', async () => {
  await authOnNode(cp, async (name, ns) => (await taskState(name, ns))?.state);
});

test('the leader pod deleted: the standby serves, tasks keep running, the SDK job finishes', async () => {
  const pid = oldestPid(tickerPids());
  assert.ok(pid !== undefined, 'the ticker runs');
  figures.leaderPodDeleteToNewLeaderServingMs = await leaderFailover(cp, adminToken);
  assert.equal((await taskState('ticker'))?.state, 'TASK_RUNNING');
  assert.ok(tickerPids().includes(pid), 'the ticker survived the failover');
});

test("the chart's Secret rotated: the controllers serve the new certificate without a restart", async () => {
  figures.tlsRotationToNewCertServedMs = await rotateWithoutRestart(cp, () =>
    cp.helm(['upgrade', 'mezzo', chart, '--namespace', NS, '--reuse-values']),
  );
});

test('helm upgrade to a changed value rolls the controllers without losing the task', async () => {
  const pid = oldestPid(tickerPids());
  assert.ok(pid !== undefined, 'the ticker runs');
  await cp.helm([
    'upgrade',
    'mezzo',
    chart,
    '--namespace',
    NS,
    '--reuse-values',
    '--set',
    'controller.offerTimeoutSeconds=20',
  ]);
  await eventually(
    async () => {
      const pods = await componentPods(cp, NS, 'controller');
      const dep = await getJson<{ status: { updatedReplicas?: number; readyReplicas?: number } }>(
        cp,
        ['deployment', 'mezzo-controller', '-n', NS],
      );
      return pods.length === 2 && dep.status.updatedReplicas === 2 && dep.status.readyReplicas === 2
        ? true
        : undefined;
    },
    180_000,
    'the upgraded controllers',
  );
  assert.equal((await taskState('ticker'))?.state, 'TASK_RUNNING');
  assert.ok(tickerPids().includes(pid), 'the ticker survived the upgrade');
});

test("the dashboard's browser flows pass against the chart's leader", async (t) => {
  // The flows' own ticker App must not be confused with the demo's ticker Task.
  await cp.kubectl(['delete', 'tasks.mezzo.dev', 'ticker', '-n', 'default', '--wait=true']);
  const ca = await chartCa(cp);
  // The rollout above replaced both controllers; the Lease may still name a gone pod.
  const { http } = await servingLeader(cp, ca);
  await dashboardOnNode(t, { baseUrl: `https://${http}`, token: adminToken, ca });
});

test('helm uninstall stops agents and controllers and leaves the CRDs and Task objects', async () => {
  await cp.helm(['uninstall', 'mezzo', '--namespace', NS, '--wait']);
  await eventually(
    async () => {
      const pods = await getJson<{ items: unknown[] }>(cp, ['pods', '-n', NS]);
      return pods.items.length === 0 ? true : undefined;
    },
    120_000,
    'no pods left in the namespace',
  );
  const crds = (await cp.kubectl(['get', 'crd', '-o', 'name'])).stdout;
  assert.match(crds, /tasks\.mezzo\.dev/);
  assert.ok(await taskState('web'), 'the Task objects remain');
  for (const kind of ['daemonset', 'deployment']) {
    const left = await getJson<{ items: unknown[] }>(cp, [kind, '-n', NS]);
    assert.equal(left.items.length, 0, `no ${kind} left`);
  }
});
