// Frameworks are mirrored into Framework objects that own the Task objects of the tasks
// they launch; deleting the object tears the framework down (a finalizer waits for it);
// a framework that declines everything for too long gets a Warning event.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { framework, launch, startAgent, until } from './support.js';
import { tempDir } from '../../support/cleanup.js';
import { testAccess } from '../../support/auth.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('Framework mirrors own their Task objects; deleting one tears the framework down', async () => {
  const events: string[] = [];
  const clock = new SystemClock();
  const store = new EmbeddedStore(join(tempDir('mezzo-fwobj-'), 'state.json'), clock);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access: testAccess,
    grpcPort: 0,
    httpPort: 0,
    allocationIntervalMs: 100,
    declineWarnAfterMs: 300,
    recordEvent: (target, type, reason) =>
      events.push(`${target.kind}/${target.name} ${type} ${reason}`),
  });
  await controller.start();
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:256', 'fwobj');
  cleanup.push(() => agent.stop());
  await until(() => controller.core.agents.size === 1, 5_000, 'agent');

  const fw = framework(controller.grpcAddress, 'owner', ['r']);
  cleanup.push(() => fw.close());
  let launched = false;
  fw.on('offers', (os) => {
    for (const o of os) {
      if (!launched) {
        launched = true;
        fw.accept([o.id], [launch('owned', o.agent_id, 'exec sleep 60', 0.2, 16)], 0).catch(
          () => undefined,
        );
      } else fw.decline([o.id], 0).catch(() => undefined);
    }
  });
  const id = await fw.start();
  await until(
    () => controller.core.tasks.get('owned')?.state === 'TASK_RUNNING',
    10_000,
    'the task running',
  );

  const mirror = await store.get('Framework', id, 'default');
  assert.ok(mirror, 'framework mirrored');
  assert.deepEqual(mirror.metadata.finalizers, ['mezzo.dev/teardown']);
  assert.equal(mirror.metadata.labels?.['mezzo.dev/framework-name'], 'owner');
  const taskObj = await store.get('Task', 'owned', 'default');
  assert.deepEqual(
    taskObj?.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`),
    [`Framework/${id}/${mirror.metadata.uid ?? ''}`],
  );

  // It declines everything after its one launch: after 300 ms, one Warning event.
  await until(
    () => events.includes(`Framework/${id} Warning OffersDeclined`),
    5_000,
    'the OffersDeclined event',
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(events.filter((e) => e.endsWith('OffersDeclined')).length, 1, 'warned once');

  await store.delete('Framework', id, 'default');
  await until(
    () => controller.core.tasks.get('owned')?.state === 'TASK_KILLED',
    10_000,
    'the task killed',
  );
  assert.equal(controller.core.frameworks.has(id), false);
  const start = Date.now();
  while (await store.get('Framework', id, 'default')) {
    assert.ok(Date.now() - start < 5_000, 'the mirror goes once the framework is gone');
    await new Promise((r) => setTimeout(r, 50));
  }
});
