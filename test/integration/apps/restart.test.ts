// A restarted apps framework (same framework ID, as `mezzo dev` and the controller host
// it) rebuilds its view from the Task mirrors and reconciliation: it adopts the running
// instances and launches no duplicates.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppFramework } from '../../../src/frameworks/apps/app-framework.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import {
  app,
  editSpec,
  runningTasks,
  startCluster,
  statusOf,
  waitFor,
  type Cluster,
} from './support.js';

let cluster: Cluster | undefined;
const stops: (() => void)[] = [];
after(async () => {
  for (const s of stops) s();
  await cluster?.stop();
});

test('a restarted framework adopts its instances and launches no duplicates', async () => {
  const c = await startCluster([['a1', 'cpus:4;mem:1024']]);
  cluster = c;
  const { store } = c;
  await store.create(app('svc', { command: 'exec sleep 300', instances: 3, cpus: 0.1, mem: 16 }));
  await waitFor(
    async () => (await statusOf(store, 'svc')).instances === 3,
    15_000,
    'three running',
  );
  const before = runningTasks(c)
    .map((t) => t.id)
    .sort();
  const id = c.framework.id;
  c.framework.stop();

  const again = new AppFramework({
    address: c.controller.grpcAddress,
    store,
    logger: silentLogger(),
    clock: new SystemClock(),
    frameworkId: id,
  });
  stops.push(() => {
    again.stop();
  });
  await again.start();
  assert.equal(again.id, id, 'resubscribed as the same framework');
  // Scale to 4 through the new framework: exactly one launch proves it counted the 3.
  await editSpec(store, 'svc', (s) => ({ ...s, instances: 4 }));
  await waitFor(async () => (await statusOf(store, 'svc')).instances === 4, 15_000, 'four running');
  const after4 = runningTasks(c).map((t) => t.id);
  assert.equal(after4.length, 4, `running: ${after4.join(', ')}`);
  for (const t of before) assert.ok(after4.includes(t), `${t} kept running`);
  const launched = [...c.controller.core.tasks.values()].filter((t) => t.frameworkId === id);
  assert.equal(launched.length, 4, 'no task was launched twice');
});
