// A task the controller declared over while its agent was away, and that the agent still
// runs when it comes back to a restarted controller. The old controller kills such a task
// at re-registration (it knows it as terminal); the restarted one knows its final state
// only from the Task object (stored-finals.ts) and must do the same, rather than adopt the
// task as running again: the object kept the final state its framework was told.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import {
  acceptFirstOffer,
  agentTasks,
  eventually,
  framework,
  launch,
  startAgent,
  startController,
  until,
} from './support.js';

const cgroupRoot = testCgroupRoot('storedfinal');
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
  await cleanCgroupTrees(cgroupRoot);
});

const objectState = async (store: EmbeddedStore, name: string) =>
  (
    (await store.list('Task')).find((o) => o.metadata.name === name)?.status as
      { state?: string } | undefined
  )?.state;

test('a task killed while its agent was away stays killed when the agent returns to a restarted controller', async () => {
  const opts = { agentPingIntervalMs: 300, agentPingTimeoutMs: 1_500 };
  const first = await startController(undefined, 0, opts);
  let controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  cleanup.push(() => controller.stop());
  const agentDir = tempDir('mezzo-storedfinal-agent-');
  const agentAt = async (address: string): Promise<Agent> => {
    const a = await startAgent(address, 'cpus:1;mem:128', 'sf-a', '', agentDir, cgroupRoot);
    cleanup.push(() => a.stop());
    return a;
  };
  let agent = await agentAt(controller.grpcAddress);
  const fw = framework(controller.grpcAddress, 'kills-while-away', ['r']);
  cleanup.push(() => {
    fw.close();
  });
  const told: TaskStatus__Output[] = [];
  fw.on('update', (s) => {
    if (s.task_id === 'kept') told.push(s);
  });
  acceptFirstOffer(fw, (a) => [launch('kept', a, 'exec sleep 300', 0.1, 16)]);
  await fw.start();
  await until(() => told.some((s) => s.state === 'TASK_RUNNING'), 10_000, 'the task running');
  const agentId = [...controller.core.agents.keys()][0] ?? '';

  // The agent goes away (its task keeps running); the framework kills the task meanwhile,
  // and the controller, unable to reach the agent, declares it TASK_KILLED.
  await agent.stop();
  await until(
    () => controller.core.agents.get(agentId)?.state === 'unreachable',
    10_000,
    'the agent to be unreachable',
  );
  await fw.kill('kept', agentId);
  await until(() => told.some((s) => s.state === 'TASK_KILLED'), 10_000, 'TASK_KILLED');
  await eventually(
    async () => (await objectState(first.store, 'kept')) === 'TASK_KILLED',
    10_000,
    () => 'the Task object to show TASK_KILLED',
  );
  const toldBefore = told.length;

  // The controller restarts, then the agent comes back with the task still running.
  await controller.stop();
  const second = await startController(first.dir, port, opts);
  controller = second.controller;
  agent = await agentAt(controller.grpcAddress);
  await eventually(
    async () => {
      const t = (await agentTasks(agent)).find((x) => x.taskId === 'kept');
      return t?.state === 'TASK_KILLED' && t.pendingUpdates === 0;
    },
    15_000,
    () =>
      `the agent to kill the task and have its updates acknowledged: ${controller.core.tasks.get('kept')?.state ?? 'no record'}`,
  );
  assert.equal(await objectState(second.store, 'kept'), 'TASK_KILLED');
  assert.equal(controller.core.tasks.get('kept'), undefined, 'not adopted again');
  assert.deepEqual(
    told.slice(toldBefore).map((s) => s.state),
    [],
    'the framework hears nothing that contradicts TASK_KILLED',
  );
});
