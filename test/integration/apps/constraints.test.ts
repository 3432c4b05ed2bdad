// Placement by Marathon constraints on real agents: UNIQUE hostname over two agents caps
// an App at two instances, one per agent, and its status says why the rest wait.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
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
after(async () => {
  await cluster?.stop();
});

test('UNIQUE hostname over two agents: two run, the third is reported unplaceable', async () => {
  const c = await startCluster([
    ['a1', 'cpus:2;mem:512', 'rack:r1'],
    ['a2', 'cpus:2;mem:512', 'rack:r2'],
  ]);
  cluster = c;
  const { store } = c;
  await store.create(
    app('uniq', {
      command: 'exec sleep 300',
      instances: 3,
      cpus: 0.1,
      mem: 16,
      constraints: [{ attribute: 'hostname', operator: 'UNIQUE' }],
    }),
  );
  await waitFor(
    async () => {
      const s = await statusOf(store, 'uniq');
      return s.instances === 2 && s.unplaced === 1;
    },
    15_000,
    'two running and one unplaced',
  );
  const s = await statusOf(store, 'uniq');
  assert.match(s.unplacedReason ?? '', /hostname:UNIQUE/);
  const placed = s.conditions?.find((x) => x.type === 'Placed');
  assert.ok(placed, 'a Placed condition');
  assert.equal(placed.status, 'False');
  assert.equal(placed.reason, 'Unplaceable');
  const hosts = runningTasks(c).map((t) => c.controller.core.agents.get(t.agentId)?.info.hostname);
  assert.deepEqual(hosts.sort(), ['a1', 'a2'], 'one instance per agent');

  // Asking for two makes the App placeable again.
  await editSpec(store, 'uniq', (spec) => ({ ...spec, instances: 2 }));
  await waitFor(
    async () => {
      const x = await statusOf(store, 'uniq');
      return x.unplaced === 0 && x.unplacedReason === undefined && x.healthy === 2;
    },
    10_000,
    'placeable at two',
  );
  assert.equal(runningTasks(c).length, 2);
});
