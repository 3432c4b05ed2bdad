// The default framework places Task objects from the store: constraints on agent
// attributes are honoured, Spread puts one task per agent per round, and the task's
// status is mirrored back onto its Task object.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION, type StoredObject } from '../../../src/store/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import { startAgent, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const task = (name: string, spec: Record<string, unknown>): StoredObject => ({
  apiVersion: API_VERSION,
  kind: 'Task',
  metadata: { name, namespace: 'team' },
  spec: { command: 'exec sleep 30', resources: { cpus: 0.1, mem: 16 }, ...spec },
});

test('constraints, spread and status mirroring', async () => {
  const { controller, store } = await startController();
  cleanup.push(() => controller.stop());
  const agents: Agent[] = [];
  agents.push(
    await startAgent(controller.grpcAddress, 'cpus:1;mem:256;ports:[31000-31010]', 'a1', 'rack:r1'),
  );
  agents.push(
    await startAgent(controller.grpcAddress, 'cpus:1;mem:256;ports:[32000-32010]', 'a2', 'rack:r2'),
  );
  cleanup.push(async () => {
    for (const a of agents) await a.stop();
  });
  await until(() => controller.core.agents.size === 2, 5_000, 'agents');
  const fw = new DefaultFramework({
    address: controller.grpcAddress,
    store,
    logger: silentLogger(),
  });
  await fw.start();
  cleanup.push(async () => {
    for (const t of controller.core.tasks.values()) controller.core.killTask(t, 0);
    await new Promise((r) => setTimeout(r, 300));
    fw.stop();
  });

  await store.create(
    task('pinned', {
      constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r2' }],
      resources: { cpus: 0.1, mem: 16, ports: 2 },
    }),
  );
  await store.create(task('s1', {}));
  await store.create(task('s2', {}));
  const state = async (name: string) =>
    ((await store.get('Task', name, 'team'))?.status as
      { state?: string; hostname?: string } | undefined) ?? {};
  await until(() => controller.core.tasks.size === 3, 10_000, 'three launches');
  for (const n of ['pinned', 's1', 's2']) {
    const start = Date.now();
    while ((await state(n)).state !== 'TASK_RUNNING') {
      assert.ok(Date.now() - start < 10_000, `${n} did not reach TASK_RUNNING`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.equal((await state('pinned')).hostname, 'a2', 'rack EQUALS r2');
  const conds = (
    (await store.get('Task', 'pinned', 'team'))?.status as {
      conditions?: { type: string; status: string; reason: string }[];
    }
  ).conditions;
  assert.deepEqual(
    conds?.map((c) => `${c.type}=${c.status}/${c.reason}`),
    ['Running=True/Running'],
  );
  // The pinned task got two ports from a2's range, as PORT0/PORT1.
  const pinned = [...controller.core.tasks.values()].find((t) => t.info.name === 'pinned');
  const ports = pinned?.resources.toString() ?? '';
  assert.ok(/ports|32000/.test(JSON.stringify(pinned?.info.resources)), ports);
  // Spread: s1 and s2 went to the least-loaded agents, so to different ones.
  const hosts = new Set([(await state('s1')).hostname, (await state('s2')).hostname]);
  assert.equal(hosts.size, 2, `spread over agents: ${[...hosts].join(',')}`);

  // Deleting a running task's object kills the task. No finalizer holds the delete (a
  // launch writes nothing to the store): the object goes at once, the kill follows.
  const s1 = await store.get('Task', 's1', 'team');
  assert.deepEqual(s1?.metadata.finalizers ?? [], []);
  assert.ok(s1);
  const s1Id = (s1.status as { taskId?: string } | undefined)?.taskId ?? '';
  await store.delete('Task', 's1', 'team');
  assert.equal(await store.get('Task', 's1', 'team'), undefined, 'gone at once');
  await until(
    () => controller.core.tasks.get(s1Id)?.state === 'TASK_KILLED',
    10_000,
    'the task killed',
  );
});
