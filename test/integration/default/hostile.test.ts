// One bad Task object never stops the default framework: before, a negative `ports`
// threw out of the offer round (new Array(-1)) so nothing at all was placed, and a huge
// one filled an array of a billion ports. Now each bad object gets Scheduled=False
// InvalidSpec naming its field, and the good ones beside it run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, statusOf, task, taskFor, type Cluster } from './support.js';
import { until } from '../controller/support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

// [object name, spec overrides, field the condition names]
const bad: [string, Record<string, unknown>, RegExp][] = [
  ['neg-ports', { resources: { cpus: 0.1, mem: 16, ports: -1 } }, /spec\.resources\.ports/],
  ['huge-ports', { resources: { cpus: 0.1, mem: 16, ports: 1e9 } }, /spec\.resources\.ports/],
  ['no-command', { command: undefined }, /command/],
  ['string-cpus', { resources: { cpus: 'lots', mem: 16 } }, /spec\.resources\.cpus/],
  ['no-resources', { resources: undefined }, /spec\.resources/],
  ['bad-operator', { constraints: [{ attribute: 'rack', operator: 'NEAR' }] }, /operator/],
];

test('bad Task objects get InvalidSpec; the good ones beside them run', async () => {
  const c = await startCluster(undefined, false); // objects the CRD would refuse
  cluster = c;
  for (const [name, spec] of bad) await c.store.create(task(name, spec));
  await c.store.create(task('good-1'));
  await c.store.create(task('good-2', { resources: { cpus: 0.1, mem: 16, ports: 2 } }));
  await until(
    () => ['good-1', 'good-2'].every((n) => taskFor(c, n)?.state === 'TASK_RUNNING'),
    15_000,
    'both good tasks running',
  );
  for (const [name, , field] of bad) {
    const scheduled = async () =>
      (await statusOf(c.store, name)).conditions?.find((x) => x.type === 'Scheduled');
    await eventually(async () => (await scheduled()) !== undefined, 10_000, `${name}'s condition`);
    const cond = await scheduled();
    assert.ok(cond, name);
    assert.equal(cond.status, 'False', name);
    assert.equal(cond.reason, 'InvalidSpec', name);
    assert.match(cond.message, field, name);
    assert.equal(taskFor(c, name), undefined, `${name} was not launched`);
  }
});
