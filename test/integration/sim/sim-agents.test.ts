// Simulated agents against a real controller on loopback: they register with their
// hostnames, resources and zones; tasks "run" by their labels (FINISHED after their
// duration, FAILED with an exit label, ERROR for a label they cannot follow, KILLED when
// killed); after a controller restart every agent re-registers and a running task is
// reported RUNNING again, by the agent that runs it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller } from '../../../src/controller/controller.js';
import { startSimAgents, DURATION_LABEL, EXIT_LABEL } from '../../../src/sim/index.js';
import { framework, startController, until } from '../controller/support.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { launchOp } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const COUNT = 12;

/** Each task, its labels, and the state it must reach by itself (undefined: it runs on). */
const TASKS: { id: string; labels: Record<string, string>; final?: string }[] = [
  { id: 'finishes', labels: { [DURATION_LABEL]: '1' }, final: 'TASK_FINISHED' },
  { id: 'fails', labels: { [DURATION_LABEL]: '0.2', [EXIT_LABEL]: '1' }, final: 'TASK_FAILED' },
  { id: 'refused', labels: { [DURATION_LABEL]: 'soon' }, final: 'TASK_ERROR' },
  { id: 'default-duration', labels: {}, final: 'TASK_FINISHED' },
  { id: 'killed', labels: { [DURATION_LABEL]: 'forever' } },
  { id: 'survivor', labels: { [DURATION_LABEL]: 'forever' } },
];

test('simulated agents register, run tasks by their labels and survive a controller restart', async () => {
  const first = await startController();
  let controller: Controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  cleanup.push(() => controller.stop());
  const sim = await startSimAgents({
    controller: controller.grpcAddress,
    token: TEST_TOKEN,
    count: COUNT,
    cpus: 2,
    memMiB: 1024,
    zones: 3,
    prefix: 'smoke',
    attributes: { rack: 'r1' },
    updateRetryMinSeconds: 0.2,
    updateRetryMaxSeconds: 2,
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.5,
  });
  cleanup.push(() => sim.close());
  await sim.allRegistered();

  // Each agent as the controller knows it: hostname, zone dealt a, b, c, a…, resources.
  const known = new Map([...controller.core.agents.values()].map((a) => [a.info.hostname, a]));
  assert.equal(known.size, COUNT);
  for (let i = 0; i < COUNT; i++) {
    const a = known.get(`smoke-${String(i + 1)}`);
    assert.ok(a, `smoke-${String(i + 1)} registered`);
    const attrs = Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text]));
    assert.deepEqual(attrs, { zone: ['a', 'b', 'c'][i % 3], rack: 'r1' });
    assert.deepEqual([a.total.scalar('cpus'), a.total.scalar('mem')], [2, 1024]);
  }

  const fw = framework(controller.grpcAddress, 'sim-smoke', ['r'], 300);
  cleanup.push(() => fw.close());
  const states = new Map<string, string[]>();
  fw.on('update', (s) => {
    const seen = states.get(s.task_id) ?? [];
    // Delivery is at least once: an update resent before its acknowledgement came back
    // reaches the framework again.
    if (seen.at(-1) !== s.state) states.set(s.task_id, [...seen, s.state]);
  });
  const waiting = [...TASKS];
  const placedOn = new Map<string, string>();
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const t = waiting.shift();
      if (!t) {
        fw.decline([o.id], 60).catch(() => undefined);
        continue;
      }
      placedOn.set(t.id, o.agent_id);
      fw.accept([o.id], [launchOp(t.id, o.agent_id, t.labels)], 0).catch(() => undefined);
    }
  });
  await fw.start();
  const last = (id: string) => states.get(id)?.at(-1);
  await until(
    () => TASKS.every((t) => last(t.id) === (t.final ?? 'TASK_RUNNING')),
    20_000,
    `every task in its state: ${JSON.stringify(Object.fromEntries(states))}`,
  );
  assert.deepEqual(states.get('finishes'), ['TASK_RUNNING', 'TASK_FINISHED']);
  assert.deepEqual(states.get('fails'), ['TASK_RUNNING', 'TASK_FAILED']);
  assert.deepEqual(states.get('refused'), ['TASK_ERROR']);

  await fw.kill('killed', placedOn.get('killed'));
  await until(() => last('killed') === 'TASK_KILLED', 10_000, 'the killed task KILLED');
  assert.equal(controller.core.tasks.get('killed')?.state, 'TASK_KILLED');

  // The controller restarts on the same port and store; every agent comes back.
  const before = sim.counters.registrations;
  await controller.stop();
  const second = await startController(first.dir, port);
  controller = second.controller;
  await until(
    () => sim.agents.every((a) => a.isRegistered && a.registrationCount >= 2),
    20_000,
    'every agent to re-register',
  );
  assert.equal(sim.counters.registrations, before + COUNT);
  assert.equal(controller.core.agents.size, COUNT, 'the same agents, none doubled');
  // The survivor is reported by its agent (not only recovered from the store): RUNNING.
  await until(
    () => controller.core.tasks.get('survivor')?.fromStore === false,
    10_000,
    'the survivor to be reported by its agent',
  );
  const survivor = controller.core.tasks.get('survivor');
  assert.equal(survivor?.state, 'TASK_RUNNING');
  assert.equal(survivor.agentId, placedOn.get('survivor'));
  const runningAgent = sim.agents.find((a) => a.id === placedOn.get('survivor'));
  assert.deepEqual(runningAgent?.runningTaskIds(), ['survivor']);
});
