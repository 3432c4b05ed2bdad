// A controller restart: agents re-register with their running tasks, the framework
// resubscribes with its ID, tasks keep running (same processes), none lost, none doubled.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import { framework, launch, startAgent, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('tasks survive a controller restart', async () => {
  const first = await startController();
  let controller: Controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  const agents: Agent[] = [];
  for (const h of ['r1', 'r2'])
    agents.push(await startAgent(controller.grpcAddress, 'cpus:2;mem:512', h));
  cleanup.push(async () => {
    for (const a of agents) await a.stop();
  });
  await until(() => controller.core.agents.size === 2, 5_000, 'agents');

  const fw = framework(controller.grpcAddress, 'survivor', ['r'], 300);
  cleanup.push(() => fw.close());
  const launched: string[] = [];
  fw.on('offers', (offers) => {
    for (const o of offers) {
      if (launched.length < 6) {
        const id = `t${launched.length}`;
        launched.push(id);
        fw.accept([o.id], [launch(id, o.agent_id, 'exec sleep 120', 0.25, 16)], 0).catch(
          () => undefined,
        );
      } else {
        fw.decline([o.id], 60).catch(() => undefined);
      }
    }
  });
  const fwId = await fw.start();
  const running = (c: Controller) =>
    [...c.core.tasks.values()].filter((t) => t.state === 'TASK_RUNNING');
  await until(() => running(controller).length === 6, 15_000, '6 tasks running');
  const before = new Map(running(controller).map((t) => [t.id, t.agentId]));

  await controller.stop();
  const second = await startController(first.dir, port);
  controller = second.controller;
  cleanup.push(() => second.controller.stop());

  await until(() => controller.core.agents.size === 2, 10_000, 'agents to re-register');
  await until(
    () => controller.core.frameworks.get(fwId)?.connected === true,
    10_000,
    'the framework to resubscribe',
  );
  await until(() => running(controller).length === 6, 10_000, 'the 6 tasks to be known again');
  const afterRestart = new Map(running(controller).map((t) => [t.id, t.agentId]));
  assert.deepEqual(afterRestart, before, 'same tasks on the same agents');
  assert.equal(launched.length, 6, 'nothing launched twice');
  assert.equal(controller.core.frameworks.get(fwId)?.tasks.size, 6);
  // Give the new controller some allocation passes: the framework declines, nothing is added.
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(controller.core.tasks.size, 6);
});
