// A launch whose Task object was made but never got its first status (the soak's seed 12:
// "framework told TASK_GONE, Mezzo still reports (no status)"). The mirror makes a Task
// object for a task launched through an offer in two writes, the object and then its
// status; a controller that dies between them leaves an object without a state. When
// the launch was lost as well (the agent frozen, its connection gone with the old
// controller), the restarted controller must still settle that object: with the final
// state its framework is told, never leaving it without one. And a launch its agent
// never answers shows STAGING once the staging grace is over: the mirror puts off only
// a state that an update may still replace.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Controller } from '../../../src/controller/controller.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import type { Kind, StoredObject } from '../../../src/store/types.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import { tempDir } from '../../support/cleanup.js';
import { freePort } from '../../support/net.js';
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import { FrozenAgent } from './frozen-agent.js';
import {
  acceptFirstOffer,
  eventually,
  framework,
  launch,
  startController,
  until,
} from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Refuses every status write of a Task object: the controller dies before making one. */
class NoTaskStatusStore extends EmbeddedStore {
  override updateStatus(
    kind: Kind,
    name: string,
    namespace: string | undefined,
    status: unknown,
  ): Promise<StoredObject> {
    if (kind === 'Task') return Promise.reject(new Error('the controller died here'));
    return super.updateStatus(kind, name, namespace, status);
  }
}

async function controllerOn(store: EmbeddedStore, grpcPort: number): Promise<Controller> {
  const { controller } = await startController(undefined, grpcPort, {
    store,
    agentPingTimeoutMs: 5_000,
  });
  return controller;
}

/**
 * A {@link FrozenAgent} registered with `controller` and a framework `name` (closed at
 * the end) whose first offer launches `taskId` (`sleep 30`); `told` gets its updates.
 */
async function frozenLaunch(controller: Controller, name: string, taskId: string) {
  const agent = new FrozenAgent();
  cleanup.push(() => {
    agent.close();
  });
  agent.connect(controller.grpcAddress);
  await until(() => agent.id !== '', 5_000, 'the agent to register');
  const fw = framework(controller.grpcAddress, name, ['r']);
  cleanup.push(() => {
    fw.close();
  });
  const told: TaskStatus__Output[] = [];
  fw.on('update', (s) => {
    if (s.task_id === taskId) told.push(s);
  });
  await fw.start();
  acceptFirstOffer(fw, (agentId) => [launch(taskId, agentId, 'sleep 30', 0.1, 16)]);
  return { agent, fw, told };
}

test('a launch lost with a controller that made its Task object but no status: the object ends as the framework is told', async () => {
  const dir = tempDir('mezzo-unwritten-');
  const file = join(dir, 'state.json');
  const port = await freePort();
  const clock = new SystemClock();
  const first = new NoTaskStatusStore(file, clock, { validate: true });
  let controller = await controllerOn(first, port);
  const stopFirst = async () => {
    await controller.stop();
    await first.close();
  };
  cleanup.push(() => controller.stop());
  const { agent, fw, told } = await frozenLaunch(controller, 'unwritten', 'unwritten-1');
  const taskObject = async (store: EmbeddedStore) =>
    (await store.list('Task')).find((o) => o.metadata.name === 'unwritten-1');
  await until(() => agent.launches.includes('unwritten-1'), 10_000, 'the launch to be sent');
  await eventually(
    async () => (await taskObject(first)) !== undefined,
    10_000,
    () => 'the Task object to be made',
  );
  assert.equal((await taskObject(first))?.status?.state, undefined, 'made without a status');

  // The controller dies; the agent never ran the launch and comes back without it.
  await stopFirst();
  agent.close();
  const store = new EmbeddedStore(file, clock, { validate: true });
  cleanup.push(() => store.close());
  controller = await controllerOn(store, port);
  agent.connect(controller.grpcAddress);
  await until(() => controller.core.agents.get(agent.id)?.state === 'active', 10_000, 'agent');
  await until(() => fw.connected, 10_000, 'the framework to resubscribe');
  await fw.reconcile([{ task_id: 'unwritten-1', agent_id: agent.id }]);
  await until(() => told.some((s) => isTerminal(s.state)), 10_000, 'a final state');
  const final = told.find((s) => isTerminal(s.state))?.state;
  // Mesos' word for a launch that never reached its agent.
  assert.equal(final, 'TASK_DROPPED');

  let shown: unknown;
  await eventually(
    async () => isTerminal(String((shown = (await taskObject(store))?.status?.state))),
    10_000,
    () => `the Task object to show a final state (framework told ${final}): ${String(shown)}`,
  );
  assert.equal(shown, final, 'the object shows what the framework was told');
  // Asked again, the controller answers the same.
  const before = told.length;
  await fw.reconcile([{ task_id: 'unwritten-1', agent_id: agent.id }]);
  await until(() => told.length > before, 10_000, 'a second answer');
  assert.equal(told.at(-1)?.state, final);
});

test('a launch its agent never answers: the Task object shows STAGING once the grace is over', async () => {
  const { controller, store } = await startController(undefined, 0, { stagingGraceMs: 300 });
  cleanup.push(() => controller.stop());
  const { agent } = await frozenLaunch(controller, 'staging-shown', 'staging-1');
  await until(() => agent.launches.includes('staging-1'), 10_000, 'the launch to be sent');
  let shown: unknown;
  await eventually(
    async () =>
      (shown = (await store.get('Task', 'staging-1', 'default'))?.status?.state) === 'TASK_STAGING',
    10_000,
    () => `the Task object to show TASK_STAGING (it shows ${String(shown)})`,
  );
  assert.equal(controller.core.tasks.get('staging-1')?.state, 'TASK_STAGING', 'still unanswered');
});
