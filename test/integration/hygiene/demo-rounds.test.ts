// `npm start`'s third demo task waited ~1.4 s for nothing: on one agent the default
// framework's Spread places one task per round, and it accepted each round with a 1 s
// refuse filter on the rest of the offer, so the next task waited for the filter to
// expire and the next periodic allocation. With tasks still waiting it now lets the rest
// come straight back. The periodic allocation is switched off here (one hour), so the
// old code never places the third task, whatever the machine's speed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION } from '../../../src/store/types.js';
import { startAgent, startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('one agent, three waiting tasks: all placed without a periodic allocation', async () => {
  const { controller, store } = await startController(undefined, 0, {
    allocationIntervalMs: 3_600_000,
  });
  cleanup.push(() => controller.stop());
  const agent: Agent = await startAgent(controller.grpcAddress, 'cpus:2;mem:512', 'solo');
  cleanup.push(() => agent.stop());
  await until(() => controller.core.agents.size === 1, 10_000, 'the agent');
  const fw = new DefaultFramework({
    address: controller.grpcAddress,
    store,
    logger: silentLogger(),
  });
  await fw.start();
  cleanup.push(() => fw.stop());

  const names = ['first', 'second', 'third'];
  for (const name of names) {
    await store.create({
      apiVersion: API_VERSION,
      kind: 'Task',
      metadata: { name, namespace: 'default' },
      spec: { command: 'exec sleep 600', resources: { cpus: 0.1, mem: 16 } },
    });
  }
  const running = () =>
    [...controller.core.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length;
  await until(() => running() === 3, 20_000, 'all three tasks running');
  assert.deepEqual(
    [...controller.core.tasks.values()].map((t) => t.info.name).sort(),
    [...names].sort(),
  );
});
