// An agent replaced on its node (the soak, seed 101, under load: an agent killed before it
// stored the ID it was given came back as a new agent, and the 14 tasks the controller
// had placed on the old one stayed TASK_UNREACHABLE for good). As Mesos' master removes a
// disconnected agent when a new one registers at its address, a new agent on the node of
// one that is not connected replaces it, and the old one's tasks are TASK_GONE with
// REASON_AGENT_REMOVED. The ping timeouts here are long (60 s, 30 s), so that an answer
// within 15 s can only come from the replacement; the agents are hand-driven
// (frozen-agent.ts): they never run what they are sent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Controller } from '../../../src/controller/controller.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import { tempDir } from '../../support/cleanup.js';
import { freePort } from '../../support/net.js';
import { FrozenAgent } from './frozen-agent.js';
import { eventually, framework, launch, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A hand-driven agent on `hostname`, once the controller at `address` registered it. */
async function registered(hostname: string, address: string): Promise<FrozenAgent> {
  const a = new FrozenAgent(hostname);
  cleanup.push(() => {
    a.close();
  });
  a.connect(address);
  await until(() => a.id !== '', 5_000, `the agent on ${hostname} to register`);
  return a;
}

/** A controller that pings every 300 ms and finds an agent unreachable after 1.5 s. */
async function fastPings(): Promise<Controller> {
  const { controller } = await startController(undefined, 0, {
    agentPingIntervalMs: 300,
    agentPingTimeoutMs: 1_500,
  });
  cleanup.push(() => controller.stop());
  return controller;
}

/** A framework that launches one `sleep 30` on each agent in `onto`, by task ID. */
async function launcher(controller: Controller, name: string, onto: Map<string, string>) {
  const fw = framework(controller.grpcAddress, name, ['r']);
  cleanup.push(() => {
    fw.close();
  });
  const told = new Map<string, TaskStatus__Output[]>();
  fw.on('update', (s) => {
    told.set(s.task_id, [...(told.get(s.task_id) ?? []), s]);
  });
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const task = [...onto].find(([, agentId]) => agentId === o.agent_id)?.[0];
      const ops = task && !told.has(task) ? [launch(task, o.agent_id, 'sleep 30', 0.1, 16)] : [];
      if (task) told.set(task, []);
      (ops.length > 0 ? fw.accept([o.id], ops) : fw.decline([o.id], 60)).catch(() => undefined);
    }
  });
  await fw.start();
  return { fw, told };
}

const last = (told: Map<string, TaskStatus__Output[]>, id: string) => told.get(id)?.at(-1);

test('a new agent on the node of a disconnected one replaces it: its tasks are TASK_GONE at once', async () => {
  const { controller, store } = await startController(undefined, 0, {
    agentPingTimeoutMs: 60_000,
  });
  cleanup.push(() => controller.stop());
  const old = await registered('node-r', controller.grpcAddress);
  const { told } = await launcher(controller, 'replaced', new Map([['replaced-1', old.id]]));
  await until(() => old.launches.includes('replaced-1'), 10_000, 'the launch to be sent');

  // Rows that must not replace it: a new agent on another node, and a new agent on its
  // node while it is still connected.
  const other = await registered('node-other', controller.grpcAddress);
  const early = await registered('node-r', controller.grpcAddress);
  assert.ok(controller.core.agents.has(old.id), 'a connected agent is not replaced');
  assert.equal(controller.core.tasks.get('replaced-1')?.state, 'TASK_STAGING');

  // Both agents on node-r go (as killed ones do); a third registers there anew.
  early.close();
  old.close();
  await until(
    () => !controller.core.agents.get(old.id)?.stream,
    5_000,
    'the old connection to be seen closed',
  );
  const fresh = await registered('node-r', controller.grpcAddress);
  await until(() => last(told, 'replaced-1')?.state === 'TASK_GONE', 15_000, 'TASK_GONE');
  assert.equal(last(told, 'replaced-1')?.reason, 'REASON_AGENT_REMOVED');
  assert.deepEqual(
    [old.id, early.id, other.id, fresh.id].map((id) => controller.core.agents.has(id)),
    [false, false, true, true],
    'the two agents node-r had are removed; the one on node-other and the new one stay',
  );
  await eventually(
    async () => (await store.get('Task', 'replaced-1', 'default'))?.status?.state === 'TASK_GONE',
    10_000,
    () => 'the Task object to show TASK_GONE',
  );
  const node = await store.get('Agent', 'node-r');
  assert.equal((node?.status as { agentId?: string } | undefined)?.agentId, fresh.id);
});

test('after a restart: an expected agent whose node a new agent took, and one no Agent object names, have their tasks TASK_GONE', async () => {
  const dir = tempDir('mezzo-replaced-');
  const port = await freePort();
  let { controller, store } = await startController(dir, port, { agentPingTimeoutMs: 30_000 });
  const stopFirst = async () => {
    await controller.stop();
    await store.close();
  };
  // Three agents, one task each: s1's node gets a new agent after the restart; s2's Agent
  // object is deleted while the controller is down; s3 stays away with its object.
  const agents: FrozenAgent[] = [];
  for (const n of ['node-s1', 'node-s2', 'node-s3']) {
    agents.push(await registered(n, controller.grpcAddress));
  }
  const tasks = new Map(agents.map((a, i) => [`s-${String(i + 1)}`, a.id]));
  const { told } = await launcher(controller, 'restarted', tasks);
  await until(
    () => agents.every((a, i) => a.launches.includes(`s-${String(i + 1)}`)),
    10_000,
    'three launches sent',
  );
  await eventually(
    async () => {
      const objects = await Promise.all(
        [...tasks.keys()].map((t) => store.get('Task', t, 'default')),
      );
      const nodes = await store.list('Agent');
      return objects.every((o) => o !== undefined) && nodes.length === 3;
    },
    10_000,
    () => 'the Task and Agent objects to be written',
  );
  await stopFirst();
  for (const a of agents) a.close();
  const offline = new EmbeddedStore(join(dir, 'state.json'), new SystemClock(), { validate: true });
  await offline.delete('Agent', 'node-s2');
  await offline.close();

  ({ controller, store } = await startController(dir, port, { agentPingTimeoutMs: 4_000 }));
  cleanup.push(async () => {
    await controller.stop();
  });
  await registered('node-s1', controller.grpcAddress);
  // s-1: at the new agent's registration (without the replacement, TASK_UNREACHABLE when
  // the window closes: node-s1's object named its old agent then). s-2 and s-3: when the
  // window (4 s) closes.
  const want = { 's-1': 'TASK_GONE', 's-2': 'TASK_GONE', 's-3': 'TASK_UNREACHABLE' };
  // What the controller declared (a reconciliation answer repeats it with its own reason).
  const declared = (t: keyof typeof want) =>
    told.get(t)?.find((u) => u.state === want[t] && u.reason !== 'REASON_RECONCILIATION');
  await until(() => declared('s-1') !== undefined, 15_000, 's-1 TASK_GONE');
  await until(
    () => declared('s-2') !== undefined && declared('s-3') !== undefined,
    15_000,
    `s-2 TASK_GONE and s-3 TASK_UNREACHABLE (now ${String(controller.core.tasks.get('s-2')?.state)}, ${String(controller.core.tasks.get('s-3')?.state)})`,
  );
  assert.deepEqual(
    (['s-1', 's-2', 's-3'] as const).map((t) => declared(t)?.reason),
    ['REASON_AGENT_REMOVED', 'REASON_AGENT_REMOVED', 'REASON_AGENT_DISCONNECTED'],
  );
  // Neither gone task was ever reported unreachable first.
  for (const t of ['s-1', 's-2'] as const) {
    assert.ok(!told.get(t)?.some((u) => u.state === 'TASK_UNREACHABLE'), `${t} never unreachable`);
  }
});

test('an agent still connected when a new one took its node is replaced at its ping timeout', async () => {
  const controller = await fastPings();
  const old = await registered('node-q', controller.grpcAddress);
  const { told } = await launcher(controller, 'silent', new Map([['q-1', old.id]]));
  await until(() => old.launches.includes('q-1'), 10_000, 'the launch to be sent');
  const fresh = await registered('node-q', controller.grpcAddress);
  assert.ok(controller.core.agents.has(old.id), 'still connected: kept');
  // Its connection stays open but it stops answering (a half-open connection).
  old.silent = true;
  await until(() => told.get('q-1')?.some((u) => u.state === 'TASK_GONE') === true, 10_000, 'GONE');
  assert.equal(
    told.get('q-1')?.find((u) => u.state === 'TASK_GONE')?.reason,
    'REASON_AGENT_REMOVED',
  );
  assert.ok(!told.get('q-1')?.some((u) => u.state === 'TASK_UNREACHABLE'), 'never unreachable');
  assert.deepEqual(
    [controller.core.agents.has(old.id), controller.core.agents.has(fresh.id)],
    [false, true],
  );
});

test('an agent that re-registers after a new one took its node is kept: at its ping timeout it is unreachable', async () => {
  const controller = await fastPings();
  const old = await registered('node-k', controller.grpcAddress);
  const fresh = await registered('node-k', controller.grpcAddress);
  // It comes back with its ID: alive, so the new agent's claim on its node lapses.
  const streamBefore = controller.core.agents.get(old.id)?.stream;
  old.connect(controller.grpcAddress);
  await until(
    () => controller.core.agents.get(old.id)?.stream !== streamBefore,
    5_000,
    'the re-registration',
  );
  old.silent = true;
  await until(
    () => controller.core.agents.get(old.id)?.state !== 'active',
    10_000,
    'the ping timeout',
  );
  assert.equal(controller.core.agents.get(old.id)?.state, 'unreachable', 'kept, unreachable');
  assert.equal(controller.core.agents.get(fresh.id)?.state, 'active');
});
