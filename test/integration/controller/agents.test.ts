// Agent loss and return, reconciliation and reservations against a real controller.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import { framework, launch, startAgent, startController, until } from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a silent agent becomes unreachable; when it re-registers its task is running again', async () => {
  const { controller } = await startController(undefined, 0, {
    agentPingIntervalMs: 200,
    agentPingTimeoutMs: 600,
  });
  cleanup.push(() => controller.stop());
  const workDir = tempDir('mezzo-flaky-');
  const cgroupRoot = testCgroupRoot('flaky');
  const agent = await startAgent(
    controller.grpcAddress,
    'cpus:1;mem:256',
    'flaky',
    '',
    workDir,
    cgroupRoot,
  );
  await until(() => controller.core.agents.size === 1, 5_000, 'agent');
  const fw = framework(controller.grpcAddress, 'watcher', ['r']);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  let launched = false;
  fw.on('offers', (os) => {
    for (const o of os) {
      if (!launched) {
        launched = true;
        fw.accept([o.id], [launch('steady', o.agent_id, 'exec sleep 60', 0.2, 16)], 0).catch(
          () => undefined,
        );
      } else fw.decline([o.id], 60).catch(() => undefined);
    }
  });
  await fw.start();
  await until(() => updates.some((u) => u.state === 'TASK_RUNNING'), 10_000, 'running');

  // Silence the agent without killing its task: stop its process-side agent (tasks live on).
  await agent.stop();
  await until(() => updates.some((u) => u.state === 'TASK_UNREACHABLE'), 5_000, 'TASK_UNREACHABLE');
  const agentRec = [...controller.core.agents.values()][0];
  assert.equal(agentRec?.state, 'unreachable');
  assert.equal(
    controller.core.offers.filter((o) => o.agentId === agentRec.id).length,
    0,
    'its offers are rescinded',
  );

  // Reconciliation answers with the controller's view.
  const before = updates.length;
  await fw.reconcile([{ task_id: 'steady' }, { task_id: 'ghost' }]);
  await until(() => updates.length >= before + 2, 5_000, 'reconcile answers');
  const answers = updates.slice(before);
  assert.deepEqual(answers.map((u) => `${u.task_id}:${u.state}:${u.reason}`).sort(), [
    'ghost:TASK_UNKNOWN:REASON_RECONCILIATION',
    'steady:TASK_UNREACHABLE:REASON_RECONCILIATION',
  ]);

  // The agent restarts (same work dir, so the same ID) and comes back with its task.
  const again = await startAgent(
    controller.grpcAddress,
    'cpus:1;mem:256',
    'flaky',
    '',
    workDir,
    cgroupRoot,
  );
  cleanup.push(async () => {
    await fw.kill('steady').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await again.stop();
  });
  await until(() => agentRec.state === 'active', 10_000, 're-registration');
  await until(
    () => controller.core.tasks.get('steady')?.state === 'TASK_RUNNING',
    10_000,
    'the task running again',
  );
});

test('RESERVE turns offered resources into a reservation for the role', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:2;mem:256', 'res');
  cleanup.push(() => agent.stop());
  await until(() => controller.core.agents.size === 1, 5_000, 'agent');
  const fw = framework(controller.grpcAddress, 'reserver', ['db']);
  cleanup.push(() => fw.close());
  const offers: Offer__Output[] = [];
  fw.on('offers', (os) => offers.push(...os));
  await fw.start();
  await until(() => offers.length > 0, 5_000, 'an offer');
  const o = offers[0];
  assert.ok(o);
  await fw.accept(
    [o.id],
    [
      {
        type: 'RESERVE',
        resources: [
          {
            name: 'cpus',
            type: 'SCALAR',
            scalar: 1,
            reservations: [{ type: 'DYNAMIC', role: 'db', principal: 'ops' }],
          },
        ],
      },
    ],
    0,
  );
  await until(() => offers.length > 1, 5_000, 'the next offer');
  const next = offers.at(-1);
  assert.ok(next);
  const reserved = next.resources.find(
    (r) => r.name === 'cpus' && r.reservations.some((x) => x.role === 'db'),
  );
  assert.ok(reserved, `reserved cpus offered back: ${JSON.stringify(next.resources)}`);
  assert.equal(reserved.scalar, 1);
});
