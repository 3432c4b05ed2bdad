// A delete always wins, on a real apiserver: `kubectl delete tasks --all` while the
// Tasks of one `kubectl apply` are still being placed. The controller (Kubernetes store)
// must not re-create a Task object for a task launched before or after the delete, and
// every launched task must be killed: at the end no Task object and no process in the
// agents' cgroups is left. (Before the fix: 30–36 objects re-created with the framework's
// ID in spec.framework and no finalizer, 66 processes left running that nothing owned.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, defaultConfig, parseResources } from '../../../src/agent-sidecar/index.js';
import { isTerminal } from '../../../src/controller/records.js';
import { KubernetesStore } from '../../../src/store/kubernetes.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { needCgroups } from '../../integration/agent/support/harness.js';
import { until } from '../../integration/controller/support.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { startKubeController } from '../support/kube-controller.js';
import { controlPlane, withCrdsAndNamespace, type ControlPlane } from '../support/control-plane.js';

const NS = 'delete-wins';
const N = 40;
const cgroupPrefix = `mezzo-dw-e2e-${String(process.pid)}`;
let cp: ControlPlane;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  cp = controlPlane();
  await withCrdsAndNamespace(cp, ['crd/tasks.mezzo.dev', 'crd/frameworks.mezzo.dev'], NS);
});

after(async () => {
  for (const c of cleanup.reverse()) await c();
  await cleanCgroupTrees(cgroupPrefix);
  cp.stop();
});

/** Processes in the task cgroups of every agent of this file (v1 memory hierarchy). */
function processes(): number {
  const base = '/sys/fs/cgroup/memory';
  if (!existsSync(base)) return 0;
  let n = 0;
  for (const root of readdirSync(base).filter((r) => r.startsWith(cgroupPrefix))) {
    for (const e of readdirSync(join(base, root), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const procs = readFileSync(join(base, root, e.name, 'cgroup.procs'), 'utf8');
      n += procs.split('\n').filter(Boolean).length;
    }
  }
  return n;
}

async function untilAsync(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('kubectl delete tasks --all while they are being placed: no Task re-created, no process left', async (t) => {
  if (!needCgroups(t)) return;
  const clock = new SystemClock();
  const logger = silentLogger();
  const store = new KubernetesStore(cp.kubeConfig(), clock, logger);
  cleanup.push(() => store.close());
  const { controller, stop: stopController } = await startKubeController(store, NS);
  cleanup.push(stopController);
  // Two agents, as in the chart's DaemonSet on two nodes; each launches in its own cgroups.
  for (const host of ['dw-a', 'dw-b']) {
    const workDir = mkdtempSync(join(tmpdir(), `mezzo-dw-e2e-${host}-`));
    const agent = new Agent(
      defaultConfig({
        workDir,
        controllers: [controller.grpcAddress],
        cgroupRoot: `${cgroupPrefix}-${host}`,
        httpPort: 0,
        hostname: host,
        resources: parseResources('cpus:4;mem:2048'),
        killGraceSeconds: 1,
      }),
      { logger },
    );
    await agent.start();
    cleanup.push(async () => {
      await agent.stop();
      await agent.destroyAllTasks();
      await rm(workDir, { recursive: true, force: true });
    });
  }
  await until(() => controller.core.agents.size === 2, 15_000, 'two agents');

  // Every Task object the controller creates from now on is a resurrection: the Tasks
  // below are launched for their objects, and no framework but the default one runs.
  const foreign: string[] = [];
  const unwatch = store.watch('Task', (e) => {
    if (e.type !== 'ADDED' || e.object.metadata.namespace !== NS) return;
    if (e.object.metadata.labels?.['mezzo.dev/delete-wins'] !== 'applied')
      foreign.push(e.object.metadata.name);
  });
  cleanup.push(unwatch);
  const yaml = Array.from(
    { length: N },
    (_, i) =>
      `apiVersion: mezzo.dev/v1alpha1\nkind: Task\nmetadata: {name: t${String(i)}, labels: {mezzo.dev/delete-wins: applied}}\nspec: {command: "exec sleep 300", resources: {cpus: 0.05, mem: 16}}`,
  ).join('\n---\n');
  await cp.kubectl(['apply', '-n', NS, '-f', '-'], yaml);
  // While they are being placed: the first launch has landed, others are in flight.
  await until(() => controller.core.tasks.size > 0, 30_000, 'the first launch');
  await cp.kubectl(['delete', 'tasks', '--all', '-n', NS, '--wait=false']);
  const launched = controller.core.tasks.size;

  // This test's tasks only: the controller also rebuilds, from the store, tasks that
  // earlier tests left in their namespaces (TASK_UNREACHABLE here, their agents gone).
  const live = () =>
    [...controller.core.tasks.values()].filter(
      (x) => x.id.startsWith(`${NS}.`) && !isTerminal(x.state),
    );
  const left = async () => (await store.list('Task')).filter((o) => o.metadata.namespace === NS);
  await untilAsync(
    async () => (await left()).length === 0 && live().length === 0 && processes() === 0,
    90_000,
    'no Task object, no live task and no process',
  ).catch(async (err: unknown) => {
    const names = (await left()).map((o) => o.metadata.name);
    throw new Error(
      `${String(err)}: ${String(names.length)} objects (${names.join(' ')}), ${String(live().length)} live tasks (${live()
        .map((x) => `${x.id} ${x.state} on ${x.agentId}`)
        .join(', ')}), ${String(processes())} processes`,
    );
  });
  // Stopping drains the controller's queued store writes: none may bring an object back.
  await stopController();
  process.stderr.write(
    `# delete-wins: ${String(launched)} of ${String(N)} launched when the delete came, ${String(controller.core.tasks.size)} in all\n`,
  );
  assert.deepEqual(foreign, [], 'no Task object was created by anyone but kubectl');
  assert.equal((await left()).length, 0, 'no Task object is left');
  assert.equal(processes(), 0, 'no process is left in the agents’ cgroups');
});
