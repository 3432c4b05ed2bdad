// The apps framework keeps the declared number of real HTTP-service instances running on
// a real agent: scale 1 → 5 → 2, a killed process is replaced (after the backoff), and
// deleting the App kills its instances before the object goes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  app,
  editSpec,
  httpService,
  NS,
  runningTasks,
  startCluster,
  statusOf,
  waitFor,
  type Cluster,
} from './support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

test('scale 1 → 5 → 2, replace a killed instance, kill all on delete', async () => {
  const c = await startCluster([['a1', 'cpus:4;mem:1024;ports:[31000-31100]']]);
  cluster = c;
  const { store } = c;
  await store.create(
    app('web', {
      command: httpService(c.scratch),
      instances: 1,
      cpus: 0.1,
      mem: '48Mi',
      portDefinitions: [{ port: 0 }],
      healthChecks: [
        { type: 'HTTP', portIndex: 0, path: '/', intervalSeconds: 0.5, timeoutSeconds: 0.5 },
      ],
      backoffSeconds: 0.2,
      backoffFactor: 2,
      maxLaunchDelaySeconds: 2,
    }),
  );
  const healthy = async (n: number) => {
    const s = await statusOf(store, 'web');
    return s.healthy === n && s.instances === n && runningTasks(c, true).length === n;
  };
  await waitFor(() => healthy(1), 15_000, 'one healthy instance');
  assert.deepEqual(
    (await store.get('App', 'web', NS))?.metadata.finalizers,
    ['mezzo.dev/kill-instances'],
    'a finalizer holds the delete until instances are killed',
  );

  let t0 = Date.now();
  await editSpec(store, 'web', (s) => ({ ...s, instances: 5 }));
  await waitFor(() => healthy(5), 20_000, 'five healthy instances');
  console.log(`# scale 1 → 5 healthy took ${Date.now() - t0} ms`);
  // Scaling is not an upgrade: the first instance kept running.
  assert.equal(runningTasks(c).length, 5);
  assert.equal((await statusOf(store, 'web')).deployment, undefined, 'no deployment for a scale');

  t0 = Date.now();
  await editSpec(store, 'web', (s) => ({ ...s, instances: 2 }));
  await waitFor(() => healthy(2), 20_000, 'two healthy instances');
  console.log(`# scale 5 → 2 took ${Date.now() - t0} ms`);
  const survivors = runningTasks(c).map((t) => t.id);
  assert.equal(survivors.length, 2);

  // Kill the process behind one instance: the task fails and a new one replaces it.
  const victim = runningTasks(c)[0];
  assert.ok(victim);
  const port = victim.info.command?.environment?.PORT0 ?? '';
  assert.ok(port, 'the instance has PORT0');
  const pid = Number(readFileSync(`${c.scratch}/${port}.pid`, 'utf8').trim());
  t0 = Date.now();
  process.kill(pid, 'SIGKILL');
  await waitFor(
    async () =>
      (await statusOf(store, 'web')).lastTaskFailure?.taskId === victim.id &&
      (await healthy(2)) &&
      !runningTasks(c).some((t) => t.id === victim.id),
    20_000,
    'the killed instance replaced',
  );
  console.log(`# a killed instance was replaced (healthy again) in ${Date.now() - t0} ms`);
  const failure = (await statusOf(store, 'web')).lastTaskFailure;
  assert.equal(failure?.state, 'TASK_FAILED');

  // Delete: the instances are killed, then the App object goes.
  const ids = runningTasks(c).map((t) => t.id);
  await store.delete('App', 'web', NS);
  await waitFor(async () => !(await store.get('App', 'web', NS)), 15_000, 'the App removed');
  for (const id of ids) assert.equal(c.controller.core.tasks.get(id)?.state, 'TASK_KILLED');
});
