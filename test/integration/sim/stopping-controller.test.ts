// A controller that is stopping (its streams ended, its server not yet closed) registers no
// agent. Before, the agents it had just dropped reconnected within 0.1–0.2 s, were
// registered by it again, reset their reconnect backoff, and were all dropped together
// once more when its server closed: at 25,000 agents that kept the old controller busy for
// 50 s and sent every agent at the next controller at once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimAgents } from '../../../src/sim/index.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { startController } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const AGENTS = 10;

test('agents dropped by a stopping controller are refused, not registered again', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const sim = await startSimAgents({
    controller: controller.grpcAddress,
    token: TEST_TOKEN,
    count: AGENTS,
    prefix: 'stop',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.2,
  });
  cleanup.push(() => sim.close());
  await sim.allRegistered();
  const refusals = async () =>
    (await controller.core.m.agentRefusals.get()).values.reduce((n, v) => n + v.value, 0);
  const before = await refusals();

  // What Controller.stop() does first; its gRPC server still takes calls.
  controller.core.stop();
  // Each agent comes back twice (refused, or registered by the stopping controller).
  const deadline = Date.now() + 30_000;
  while (
    (await refusals()) - before < 2 * AGENTS &&
    !sim.agents.every((a) => a.registrationCount > 1)
  ) {
    assert.ok(Date.now() < deadline, 'every agent tries the stopping controller again');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const a of sim.agents) {
    assert.equal(a.registrationCount, 1, `${a.spec.hostname} not registered again`);
    assert.equal(a.isRegistered, false, `${a.spec.hostname} has no registered stream`);
  }
  assert.equal(controller.core.agents.size, AGENTS, 'no agent record added or replaced');
});
