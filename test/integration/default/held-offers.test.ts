// The default framework holds the offers a round left unused, for the objects that come
// next: before, it declined them and revived for the next object, so every object that
// came on its own cost an offer from every agent (docs/performance.md, "Session 12").
// Counted in the controller's offers by outcome, on three real agents.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgent, until } from '../controller/support.js';
import { live, startCluster, task, taskFor, type Cluster } from './support.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { ControllerCore } from '../../../src/controller/core.js';

const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stops.reverse()) await s();
});

async function offers(core: ControllerCore, result: string): Promise<number> {
  const { values } = await core.m.offers.get();
  return values.find((v) => v.labels.result === result)?.value ?? 0;
}

// The offers the framework holds now (outstanding at the controller).
function held(c: Cluster): number {
  return c.controller.core.offers.all().filter((o) => o.frameworkId === c.framework.id).length;
}

// A cluster of three agents (two beside the support's own) with the given hold time.
async function threeAgents(holdMs: number): Promise<Cluster> {
  const c = await startCluster(undefined, true, 'Spread', holdMs);
  stops.push(() => c.stop());
  for (const name of ['held-b', 'held-c']) {
    const extra: Agent = await startAgent(c.controller.grpcAddress, 'cpus:2;mem:512', name);
    stops.push(async () => {
      await extra.destroyAllTasks().catch(() => undefined);
      await extra.stop();
    });
  }
  await until(() => c.controller.core.agents.size === 3, 10_000, 'the agents');
  return c;
}

test('objects arriving one by one are placed on the offers held: none declined', async () => {
  // Held for longer than the test, so that any decline is a round's, not the hold's.
  const c = await threeAgents(60_000);
  const declined = await offers(c.controller.core, 'declined');
  const names = Array.from({ length: 6 }, (_, i) => `one-by-one-${String(i)}`);
  for (const name of names) {
    await c.store.create(task(name));
    await until(() => taskFor(c, name) !== undefined, 10_000, `${name} launched`);
  }
  const on = new Map<string, number>();
  for (const name of names) {
    const t = taskFor(c, name);
    assert.ok(t && live(t), name);
    on.set(t.agentId, (on.get(t.agentId) ?? 0) + 1);
  }
  // Spread over the three: 6 / 3 = 2 each.
  assert.deepEqual([...on.values()], [2, 2, 2]);
  // Before: each of the six rounds declined the two offers it left unused (12 or more).
  assert.equal((await offers(c.controller.core, 'declined')) - declined, 0, 'offers declined');
});

test('an offer held unused is given back after the hold time', async () => {
  const c = await threeAgents(300);
  // The object waits before the framework subscribes, so its first round has all three
  // agents' offers.
  c.framework.stop();
  await c.store.create(task('alone'));
  const declined = await offers(c.controller.core, 'declined');
  await c.restartFramework();
  await until(() => taskFor(c, 'alone') !== undefined, 10_000, 'the task launched');
  // One agent got the task; the other two offers were held, then declined: nothing
  // waits, so nothing is offered again.
  await until(() => held(c) === 0, 5_000, 'every held offer given back');
  assert.ok((await offers(c.controller.core, 'declined')) - declined >= 2, 'offers declined');
});

test('an object that comes while nothing is held asks for offers at once', async () => {
  // No periodic pass in the test's time: only a REVIVE can bring the agent back once the
  // framework gave its offer back under a filter (a lapse starts no pass, as in Mesos).
  const c = await startCluster(60_000, true, 'Spread', 200, 3_600_000);
  stops.push(() => c.stop());
  await until(() => held(c) === 0, 5_000, 'no offer held at the start');
  const declined = await offers(c.controller.core, 'declined');
  // Fits no agent (2 cpus each): it waits, and the offer it was held for is given back.
  await c.store.create(task('too-big', { resources: { cpus: 3, mem: 16 } }));
  await until(() => held(c) > 0, 10_000, 'an offer for too-big');
  await until(() => held(c) === 0, 10_000, 'the unused offer given back');
  assert.ok((await offers(c.controller.core, 'declined')) > declined, 'the offer was declined');
  // Still wanting offers (too-big waits), so no suppress-then-revive: before, this one
  // waited for the next periodic pass, here an hour away.
  await c.store.create(task('fits', { resources: { cpus: 0.5, mem: 16 } }));
  await until(() => taskFor(c, 'fits') !== undefined, 10_000, 'fits launched');
  assert.equal(taskFor(c, 'too-big'), undefined);
});
