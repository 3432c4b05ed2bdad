// A delete always wins: deleting Task objects while their launches are in flight, after
// their tasks run, or while the controller is down leaves no task running and no object
// re-created. Real controller, embedded store, agents with real cgroups and processes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { isTerminal } from '../../../src/controller/records.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION, type Store, type StoredObject } from '../../../src/store/types.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import { needCgroups } from '../agent/support/harness.js';
import {
  acceptFirstOffer,
  framework,
  launch,
  startAgent,
  startController,
  until,
} from './support.js';
import { testCgroupRoot } from '../../support/cleanup.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A temp dir removed after the file's tests (stores and agent work dirs). */
function tempDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mezzo-delwins-${what}-`));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A cgroup root of this file's own (named after the test run), so that its processes can be counted. */
function cgroupRoot(): string {
  return testCgroupRoot('delwins');
}

/** Processes in each task cgroup under `root` (the v1 memory hierarchy the agent uses). */
function processCounts(root: string): number[] {
  const dir = join('/sys/fs/cgroup/memory', root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map(
      (e) =>
        readFileSync(join(dir, e.name, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean).length,
    );
}

/** Processes in the task cgroups under `root`. */
function processesUnder(root: string): number {
  return processCounts(root).reduce((a, b) => a + b, 0);
}

/** Task cgroups under `root` with a process in them. */
function busyCgroupsUnder(root: string): number {
  return processCounts(root).filter((n) => n > 0).length;
}

/** `controller.stop()`, once: a test stops it to drain its writes, cleanup again. */
function stopOnce(controller: Controller): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= controller.stop());
}

/** Stops the agent and kills whatever it left running, removing its cgroups. */
function stopAgentAfter(agent: Agent): void {
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
}

async function untilAsync(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts the Task objects the store creates from now on (its watch replays the present). */
class Creations {
  count = 0;
  private readonly unwatch: () => void;

  constructor(store: Store) {
    const present = new Set<string>();
    let replaying = true;
    this.unwatch = store.watch('Task', (e) => {
      if (replaying) present.add(e.object.metadata.uid ?? '');
      else if (e.type === 'ADDED' && !present.has(e.object.metadata.uid ?? '')) this.count++;
    });
    replaying = false;
  }

  stop(): void {
    this.unwatch();
  }
}

/** A controller (its store in a temp dir) and one agent with a cgroup root of its own. */
async function cluster(host: string, resources: string) {
  const started = await startController(tempDir('ctl'));
  const stop = stopOnce(started.controller);
  cleanup.push(stop);
  const root = cgroupRoot();
  const address = started.controller.grpcAddress;
  stopAgentAfter(await startAgent(address, resources, host, '', tempDir(host), root));
  await until(() => started.controller.core.agents.size === 1, 5_000, 'the agent');
  return { ...started, stop, root };
}

const taskObject = (name: string): StoredObject => ({
  apiVersion: API_VERSION,
  kind: 'Task',
  metadata: { name, namespace: 'dw' },
  spec: { command: 'exec sleep 300', resources: { cpus: 0.05, mem: 8 } },
});

test('Tasks deleted while their launches are in flight: no process left, no object re-created', async (t) => {
  if (!needCgroups(t)) return;
  const { controller, store, stop: stopController, root } = await cluster('dw1', 'cpus:8;mem:4096');

  // 40 Tasks, placed in one accept (BinPack): 40 × 0.05 = 2 cpus, 40 × 8 = 320 MiB.
  const N = 40;
  for (let i = 0; i < N; i++) await store.create(taskObject(`t${String(i)}`));
  // `kubectl delete tasks --all` while they are being placed: the moment the controller
  // holds all 40 launches (one ACCEPT; a launch writes nothing to the store first), so
  // that the deletes race the launches reaching the agent and the status writes.
  let deleting: Promise<void> | undefined;
  let creations: Creations | undefined;
  const deleteAll = async () => {
    for (const o of await store.list('Task'))
      await store.delete('Task', o.metadata.name, o.metadata.namespace);
  };
  const launched = () => {
    if (deleting || controller.core.tasks.size < N) return;
    creations = new Creations(store);
    deleting = deleteAll();
  };
  const poll = setInterval(launched, 1);
  cleanup.push(() => {
    clearInterval(poll);
    creations?.stop();
  });
  const fw = new DefaultFramework({
    address: controller.grpcAddress,
    store,
    logger: silentLogger(),
    policy: 'BinPack',
  });
  await fw.start();
  cleanup.push(() => {
    fw.stop();
  });
  await until(() => deleting !== undefined, 20_000, 'the 40 Tasks placed');
  clearInterval(poll);
  await deleting;
  assert.equal(controller.core.tasks.size, N, 'all 40 were launched');

  const live = () => [...controller.core.tasks.values()].filter((x) => !isTerminal(x.state));
  await untilAsync(
    async () => (await store.list('Task')).length === 0 && live().length === 0,
    60_000,
    'every object gone and every task ended',
  ).catch(async (err: unknown) => {
    const left = (await store.list('Task')).map((o) => o.metadata.name);
    throw new Error(
      `${String(err)}: ${String(left.length)} objects left (${left.join(' ')}), ${String(live().length)} tasks live, ${String(processesUnder(root))} processes`,
    );
  });
  // Stopping drains the controller's queued store writes: none may bring an object back.
  await stopController();
  assert.equal(creations?.count, 0, 'no Task object was re-created');
  assert.equal((await store.list('Task')).length, 0, 'no Task object is left');
  assert.equal(processesUnder(root), 0, 'no process is left in the agent cgroups');
});

test("a framework's task is killed when the Task object made for it is deleted, and stays deleted", async (t) => {
  if (!needCgroups(t)) return;
  const { controller, store, stop: stopController, root } = await cluster('dw2', 'cpus:2;mem:512');
  const fw = framework(controller.grpcAddress, 'third-party', ['r'], 300);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  acceptFirstOffer(
    fw,
    (agentId) => [0, 1, 2].map((i) => launch(`tp${String(i)}`, agentId, 'exec sleep 300', 0.1, 16)),
    60,
  );
  await fw.start();
  const running = async () =>
    (await store.list('Task')).filter(
      (o) => (o.status as { state?: string } | undefined)?.state === 'TASK_RUNNING',
    ).length;
  // The mirror made one object per task, once.
  await untilAsync(async () => (await running()) === 3, 15_000, 'three objects, running');
  const creations = new Creations(store);
  cleanup.push(() => creations.stop());
  for (const o of await store.list('Task'))
    await store.delete('Task', o.metadata.name, o.metadata.namespace);
  await until(
    () =>
      ['tp0', 'tp1', 'tp2'].every((id) =>
        updates.some((u) => u.task_id === id && u.state === 'TASK_KILLED'),
      ),
    15_000,
    'the three tasks killed',
  );
  // The mirror's finalizer held each object until its task's final state was written.
  await untilAsync(async () => (await store.list('Task')).length === 0, 15_000, 'objects gone');
  await stopController();
  assert.equal(creations.count, 0, 'no Task object was re-created');
  assert.equal((await store.list('Task')).length, 0);
  assert.equal(processesUnder(root), 0, 'no process is left in the agent cgroups');
});

test('a Task object deleted while the controller was down: its task is killed, not re-created', async (t) => {
  if (!needCgroups(t)) return;
  const first = await cluster('dw3', 'cpus:2;mem:512');
  let controller: Controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  const fw = framework(controller.grpcAddress, 'survivor', ['r'], 300);
  cleanup.push(() => fw.close());
  acceptFirstOffer(
    fw,
    (agentId) => ['keep', 'gone'].map((id) => launch(id, agentId, 'exec sleep 300', 0.1, 16)),
    60,
  );
  await fw.start();
  const stateOf = async (s: Store, name: string) =>
    ((await s.get('Task', name, 'default'))?.status as { state?: string } | undefined)?.state;
  await untilAsync(
    async () =>
      (await stateOf(first.store, 'keep')) === 'TASK_RUNNING' &&
      (await stateOf(first.store, 'gone')) === 'TASK_RUNNING',
    15_000,
    'both objects running',
  );
  await first.stop();
  await first.store.delete('Task', 'gone', 'default');
  const second = await startController(first.dir, port);
  controller = second.controller;
  const stopSecond = stopOnce(controller);
  cleanup.push(stopSecond);
  await until(
    () => controller.core.tasks.get('gone')?.state === 'TASK_KILLED',
    15_000,
    'gone killed',
  );
  assert.equal(controller.core.tasks.get('keep')?.state, 'TASK_RUNNING', 'the other task runs on');
  await untilAsync(
    async () => (await second.store.get('Task', 'gone', 'default')) === undefined,
    15_000,
    'the marked object released once its task was killed',
  );
  await stopSecond();
  assert.equal(await second.store.get('Task', 'gone', 'default'), undefined, 'not re-created');
  assert.equal(await stateOf(second.store, 'keep'), 'TASK_RUNNING');
  // TASK_KILLED is sent once the task has exited; its supervisor leaves the cgroup a moment
  // after that.
  await until(
    () => busyCgroupsUnder(first.root) === 1,
    10_000,
    "only keep's cgroup still has processes",
  );
});

test('a task whose object was never written before its controller died gets one, and runs on', async (t) => {
  if (!needCgroups(t)) return;
  const first = await cluster('dw4', 'cpus:2;mem:512');
  const port = Number(first.controller.grpcAddress.split(':').pop());
  const fw = framework(first.controller.grpcAddress, 'unwritten', ['r'], 300);
  cleanup.push(() => fw.close());
  acceptFirstOffer(fw, (agentId) => [launch('unwritten', agentId, 'exec sleep 300', 0.1, 16)], 60);
  await fw.start();
  const running = async (s: Store) =>
    ((await s.get('Task', 'unwritten', 'default'))?.status as { state?: string } | undefined)
      ?.state === 'TASK_RUNNING';
  await untilAsync(() => running(first.store), 15_000, 'the object running');
  await first.stop();
  // The state a controller killed between the launch and the mirror's first write leaves:
  // no object at all (only a finalizer-free delete removes one outright).
  const obj = await first.store.get('Task', 'unwritten', 'default');
  assert.ok(obj, 'the mirror made the object');
  assert.deepEqual(obj.metadata.finalizers, ['mezzo.dev/task-mirror']);
  await first.store.update({ ...obj, metadata: { ...obj.metadata, finalizers: [] } });
  await first.store.delete('Task', 'unwritten', 'default');
  assert.equal(await first.store.get('Task', 'unwritten', 'default'), undefined);
  const second = await startController(first.dir, port);
  const stopSecond = stopOnce(second.controller);
  cleanup.push(stopSecond);
  // The agent's re-registration reports the task; the mirror writes its object.
  await untilAsync(() => running(second.store), 15_000, 'the object written from the report');
  assert.equal(second.controller.core.tasks.get('unwritten')?.state, 'TASK_RUNNING');
  await stopSecond();
  assert.equal(busyCgroupsUnder(first.root), 1, 'the task runs on');
});
