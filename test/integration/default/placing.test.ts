// One round of offers places every waiting Task object that fits, spread over the agents
// offered (or bin-packed): before, Spread stopped at one task per agent per round, so N
// objects on one agent took N rounds. Counted in accepted offers, not in time: the
// objects all wait before the framework (re)subscribes, so the first round sees them all.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgent, until } from '../controller/support.js';
import { live, NS, startCluster, task, taskFor, withUpdate, type Cluster } from './support.js';
import type { Store } from '../../../src/store/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { ControllerCore } from '../../../src/controller/core.js';

const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stops.reverse()) await s();
});

async function accepted(core: ControllerCore): Promise<number> {
  const { values } = await core.m.offers.get();
  return values.find((v) => v.labels.result === 'accepted')?.value ?? 0;
}

// [policy, tasks, agents, accepts expected, tasks per agent expected (sorted)]
const cases: ['Spread' | 'BinPack', number, number, number, number[]][] = [
  ['Spread', 8, 1, 1, [8]],
  ['Spread', 8, 2, 2, [4, 4]],
  ['Spread', 9, 3, 3, [3, 3, 3]],
  ['BinPack', 8, 2, 1, [8]],
];

for (const [policy, n, agents, accepts, perAgent] of cases) {
  test(`${policy}: ${String(n)} tasks on ${String(agents)} agent(s) in one round`, async () => {
    const c: Cluster = await startCluster(undefined, true, policy);
    stops.push(() => c.stop());
    for (let i = 1; i < agents; i++) {
      const extra: Agent = await startAgent(
        c.controller.grpcAddress,
        'cpus:2;mem:512',
        `default-extra-${String(i)}`,
      );
      stops.push(async () => {
        await extra.destroyAllTasks().catch(() => undefined);
        await extra.stop();
      });
    }
    await until(() => c.controller.core.agents.size === agents, 10_000, 'the agents');
    // Every object waits before the framework asks for offers again.
    c.framework.stop();
    const names = Array.from({ length: n }, (_, i) => `${policy.toLowerCase()}-${String(i)}`);
    for (const name of names) await c.store.create(task(name));
    const before = await accepted(c.controller.core);
    await c.restartFramework();
    await until(
      () => names.every((x) => taskFor(c, x)?.state === 'TASK_RUNNING'),
      20_000,
      'every task running',
    );
    assert.equal((await accepted(c.controller.core)) - before, accepts, 'accepted offers');
    const on = new Map<string, number>();
    for (const x of names) {
      const t = taskFor(c, x);
      assert.ok(t && live(t));
      on.set(t.agentId, (on.get(t.agentId) ?? 0) + 1);
    }
    assert.deepEqual(
      [...on.values()].sort((a, b) => a - b),
      perAgent,
    );
  });
}

// A launch writes nothing to the store: before, each task's object got the framework's
// finalizer first (one apiserver request per task, a third of all its requests under the
// side-by-side bench's client limit). Reads and writes of Task objects are counted, and
// the tasks are spread over two agents (two offers of one round).
test('a launch makes no store request: no read, no write, no finalizer', async () => {
  const c: Cluster = await startCluster();
  stops.push(() => c.stop());
  const extra: Agent = await startAgent(c.controller.grpcAddress, 'cpus:2;mem:512', 'quiet-b');
  stops.push(async () => {
    await extra.destroyAllTasks().catch(() => undefined);
    await extra.stop();
  });
  await until(() => c.controller.core.agents.size === 2, 10_000, 'the agents');
  const requests: string[] = [];
  const counting = withUpdate(c.store, async (obj) => {
    if (obj.kind === 'Task') requests.push(`update ${obj.metadata.name}`);
    return c.store.update(obj);
  });
  const store: Store = {
    ...counting,
    get: (kind, name, namespace) => {
      if (kind === 'Task') requests.push(`get ${name}`);
      return c.store.get(kind, name, namespace);
    },
    updateStatus: (kind, name, namespace, status) => {
      if (kind === 'Task') requests.push(`status ${name}`);
      return c.store.updateStatus(kind, name, namespace, status);
    },
  };
  c.framework.stop();
  const names = Array.from({ length: 8 }, (_, i) => `quiet-${String(i)}`);
  for (const name of names) await c.store.create(task(name));
  await c.restartFramework(store);
  await until(
    () => names.every((x) => taskFor(c, x)?.state === 'TASK_RUNNING'),
    20_000,
    'every task running',
  );
  assert.deepEqual(requests, [], 'the framework made no Task request');
  for (const name of names) {
    const obj = await c.store.get('Task', name, NS);
    assert.deepEqual(obj?.metadata.finalizers ?? [], [], `${name} carries no finalizer`);
  }
  const agents = new Set(names.map((x) => taskFor(c, x)?.agentId));
  assert.equal(agents.size, 2, 'spread over both offers');
});
