// One bad App never hurts another App or another framework. Before, an App without a
// command was placed anyway; the controller rejected the accept, and the apps framework
// kept the agent's whole offer (until the controller's offer timeout, 10 minutes here),
// starving every other framework. Now each App spec is read as hostile input: a bad one
// gets Valid=False InvalidSpec naming its field and launches nothing, the rest run, and
// a Task of the default framework on the same agent runs too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultFramework } from '../../../src/frameworks/default/default-framework.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { API_VERSION } from '../../../src/store/types.js';
import { app, NS, runningTasks, startCluster, statusOf, waitFor, type Cluster } from './support.js';

let cluster: Cluster | undefined;
let other: DefaultFramework | undefined;
after(async () => {
  other?.stop();
  await cluster?.stop();
});

const ok = { command: 'exec sleep 300', cpus: 0.1, mem: 16 };
// [App name, spec, the field its condition names]
const bad: [string, Record<string, unknown>, RegExp][] = [
  ['no-command', { instances: 1, cpus: 0.1, mem: 16 }, /set exactly one of command/],
  ['neg-instances', { ...ok, instances: -1 }, /spec\.instances: must be at least 0/],
  ['huge-instances', { ...ok, instances: 1e9 }, /spec\.instances: must be at most 100000/],
  ['text-cpus', { ...ok, cpus: 'x' }, /spec\.cpus: must be a number/],
  ['ports-text', { ...ok, portDefinitions: 'http' }, /spec\.portDefinitions: must be a list/],
  ['bad-check', { ...ok, healthChecks: [{ type: 'HTTP' }] }, /spec\.healthChecks\[0\]\.portIndex/],
];

test('bad Apps get InvalidSpec; a good App and another framework run beside them', async () => {
  const c = await startCluster([['h1', 'cpus:1;mem:256;ports:[31000-31010]']], {
    offerTimeoutMs: 600_000,
    validateObjects: false,
  });
  cluster = c;
  const { store } = c;
  // Hostile on purpose: fields of the wrong type, as a hand-edited object has them.
  for (const [name, spec] of bad) await store.create(app(name, spec));
  await store.create(app('fine', { ...ok, instances: 1 }));
  other = new DefaultFramework({
    address: c.controller.grpcAddress,
    store,
    logger: silentLogger(),
  });
  await other.start();
  await store.create({
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: { name: 'neighbour', namespace: NS },
    spec: { command: 'exec sleep 300', resources: { cpus: 0.1, mem: 16 } },
  });
  await waitFor(async () => (await statusOf(store, 'fine')).healthy === 1, 15_000, 'fine up');
  await waitFor(
    () =>
      [...c.controller.core.tasks.values()].some(
        (t) => t.info.name === 'neighbour' && t.state === 'TASK_RUNNING',
      ),
    15_000,
    "the default framework's task running",
  );
  for (const [name, , field] of bad) {
    const valid = async () =>
      (await statusOf(store, name)).conditions?.find((x) => x.type === 'Valid');
    await waitFor(async () => (await valid()) !== undefined, 10_000, `${name}'s condition`);
    const cond = await valid();
    assert.ok(cond);
    assert.equal(cond.status, 'False', name);
    assert.equal(cond.reason, 'InvalidSpec', name);
    assert.match(cond.message, field, name);
  }
  assert.deepEqual(
    runningTasks(c).map((t) => t.info.name),
    ['fine'],
    'only the good App launched anything',
  );
});
