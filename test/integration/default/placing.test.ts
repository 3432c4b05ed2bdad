// One round of offers places every waiting Task object that fits, spread over the agents
// offered (or bin-packed): before, Spread stopped at one task per agent per round, so N
// objects on one agent took N rounds. Counted in accepted offers, not in time: the
// objects all wait before the framework (re)subscribes, so the first round sees them all.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgent, until } from '../controller/support.js';
import { live, NS, startCluster, task, taskFor, withUpdate, type Cluster } from './support.js';
import type { Store } from '../../../src/store/types.js';
import { TASK_FINALIZER } from '../../../src/frameworks/default/default-framework.js';
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

// The finalizer goes on the copy the framework watched, without reading it again (one
// round trip per task, not two, against an apiserver); a copy gone stale meanwhile fails
// that write, and the framework reads the object and still launches its task.
test('finalizers: no read per task; a stale copy is read again and still launched', async () => {
  const c: Cluster = await startCluster();
  stops.push(() => c.stop());
  let reads = 0;
  let bumped = false;
  const counting = withUpdate(c.store, async (obj) => {
    // The first write for `stale`: someone else changed the object just before it.
    if (obj.metadata.name === 'fin-stale' && !bumped) {
      bumped = true;
      const cur = await c.store.get('Task', 'fin-stale', NS);
      if (cur) {
        cur.metadata.labels = { ...cur.metadata.labels, touched: 'yes' };
        await c.store.update(cur);
      }
    }
    return c.store.update(obj);
  });
  const store: Store = {
    ...counting,
    get: (kind, name, namespace) => {
      if (kind === 'Task') reads++;
      return c.store.get(kind, name, namespace);
    },
  };
  c.framework.stop();
  const names = ['fin-0', 'fin-1', 'fin-2', 'fin-3', 'fin-stale'];
  for (const name of names) await c.store.create(task(name));
  await c.restartFramework(store);
  await until(
    () => names.every((x) => taskFor(c, x)?.state === 'TASK_RUNNING'),
    20_000,
    'every task running',
  );
  assert.ok(bumped, 'the stale write happened');
  assert.equal(reads, 1, 'one read: the stale copy only');
  const obj = await c.store.get('Task', 'fin-stale', NS);
  assert.ok(obj?.metadata.finalizers?.includes(TASK_FINALIZER));
  assert.equal(obj?.metadata.labels?.touched, 'yes', 'the other change kept');
});

// Each offer is answered once its own tasks' finalizers are on, not after the whole
// round's: one slow write held every offer of the round back (with a rate-limited
// apiserver a round of a thousand writes outlasted its offers, and the accepts failed).
test("a slow finalizer write holds back only its own offer's launch", async () => {
  const c: Cluster = await startCluster();
  stops.push(() => c.stop());
  const extra: Agent = await startAgent(c.controller.grpcAddress, 'cpus:2;mem:512', 'held-b');
  stops.push(async () => {
    await extra.destroyAllTasks().catch(() => undefined);
    await extra.stop();
  });
  await until(() => c.controller.core.agents.size === 2, 10_000, 'the agents');
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const held = withUpdate(c.store, async (obj) => {
    if (obj.metadata.name === 'held-7') await gate;
    return c.store.update(obj);
  });
  c.framework.stop();
  const names = Array.from({ length: 8 }, (_, i) => `held-${String(i)}`);
  for (const name of names) await c.store.create(task(name));
  await c.restartFramework(held);
  try {
    // Spread: 4 + 4 over the two offers of the first round; held-7's offer waits for it.
    await until(
      () => names.filter((x) => taskFor(c, x)?.state === 'TASK_RUNNING').length >= 4,
      20_000,
      'the other offer launched while one write is held',
    );
    assert.equal(taskFor(c, 'held-7'), undefined, 'held-7 is not launched yet');
  } finally {
    release();
  }
  await until(
    () => names.every((x) => taskFor(c, x)?.state === 'TASK_RUNNING'),
    20_000,
    'every task running once the write is done',
  );
});
