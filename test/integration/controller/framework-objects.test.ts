// Frameworks are mirrored into Framework objects that own the Task objects of the tasks
// they launch; deleting the object tears the framework down (a finalizer waits for it);
// a framework that declines everything for too long gets a Warning event; a subscription
// whose roles the CRD refuses is refused before anything of it is kept.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import * as grpc from '@grpc/grpc-js';
import { eventually, framework, launch, startAgent, startController, until } from './support.js';
import { rawSubscribe } from '../security/support.js';
import { mesosSubscribe } from '../../support/mesos-http.js';
import { tempDir } from '../../support/cleanup.js';
import { TEST_TOKEN, testAccess } from '../../support/auth.js';

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

test('a subscription whose roles the Framework CRD refuses is refused and leaves nothing; `*` is a role', async () => {
  const { controller, store } = await startController();
  cleanup.push(() => controller.stop());
  const before = (await store.list('Framework')).length;
  for (const roles of [
    ['../x'],
    ['', 'ok'],
    ['a', 'a'],
    Array.from({ length: 65 }, (_, i) => `r${String(i)}`),
  ]) {
    const answer = await rawSubscribe(controller.grpcAddress, TEST_TOKEN, {
      name: 'bad-roles',
      roles,
    });
    answer.close();
    assert.equal(answer.code, grpc.status.INVALID_ARGUMENT, JSON.stringify(roles).slice(0, 60));
    assert.match(answer.details ?? '', /^framework_info: roles/);
  }
  // Mesos' HTTP API: the same check, answered 400 in Mesos' plain text.
  const mesos = await mesosSubscribe(
    `http://127.0.0.1:${String(controller.httpPort)}/api/v1/scheduler`,
    {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'nobody', name: 'bad-roles', roles: ['a b'] } },
    },
    'json',
  );
  assert.equal(mesos.status, 400);
  assert.match(await mesos.refusal(), /framework_info: roles\[0\]/);
  assert.equal(controller.core.frameworks.size, 0, 'nothing subscribed');
  assert.equal((await store.list('Framework')).length, before, 'no Framework object');

  // Mesos' default role, as a Mesos framework that names none gets: subscribed, mirrored.
  const star = framework(controller.grpcAddress, 'default-role', ['*']);
  cleanup.push(() => star.close());
  const id = await star.start();
  await until(
    () => controller.core.frameworks.get(id) !== undefined,
    5_000,
    'the framework in role *',
  );
  let mirrored: unknown;
  await eventually(
    async () => {
      mirrored = (await store.get('Framework', id, 'default'))?.spec['roles'];
      return mirrored !== undefined;
    },
    5_000,
    () => 'its Framework object',
  );
  assert.deepEqual(mirrored, ['*']);
});
