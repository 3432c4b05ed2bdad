// An App under its own role: the apps framework adds the role to its subscription, so the
// agent's resources reserved to that role are offered to it and the instances run there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { app, runningTasks, startCluster, statusOf, waitFor, type Cluster } from './support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

test('an App with role web is placed on resources reserved to web', async () => {
  // Only 0.1 cpus unreserved: the web role's 1 cpu is what the instances need.
  const c = await startCluster([['w1', 'cpus:0.1;cpus(web):1;mem:512', '']]);
  cluster = c;
  await c.store.create(
    app('webapp', { command: 'exec sleep 300', instances: 2, cpus: 0.4, mem: 16, role: 'web' }),
  );
  await waitFor(
    async () => (await statusOf(c.store, 'webapp')).instances === 2,
    15_000,
    'two instances of the web app running',
  );
  // 2 × 0.4 = 0.8 cpus, more than the 0.1 unreserved: both draw on the reservation.
  const tasks = runningTasks(c);
  assert.equal(tasks.length, 2);
  for (const t of tasks) assert.match(t.resources.toString(), /cpus\(web\):0\.4/);
  const fw = [...c.controller.core.frameworks.values()].find((f) => f.info.name === 'apps');
  assert.deepEqual(fw?.roles, ['default', 'web']);
  // The Task mirrors carry the framework's Kubernetes-valid labels (kubectl get -l works).
  const mirrors = (await c.store.list('Task')).filter(
    (t) => t.metadata.labels?.['mezzo.dev/app-name'] === 'webapp',
  );
  assert.equal(mirrors.length, 2);
});
