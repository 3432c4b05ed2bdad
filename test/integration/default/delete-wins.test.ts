// A delete always wins over the default framework's tasks: whether the Task object goes
// while its launch is in flight, is force-deleted (no finalizer) after, names the
// framework by its ID rather than its name, or vanishes while the framework is down,
// the task is killed and nothing keeps running without an owner.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObject } from '../../../src/store/types.js';
import { TASK_FINALIZER } from '../../../src/frameworks/default/default-framework.js';
import { until } from '../controller/support.js';
import {
  forceDelete,
  live,
  NS,
  startCluster,
  task,
  taskFor,
  withUpdate,
  type Cluster,
} from './support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

async function shared(): Promise<Cluster> {
  cluster ??= await startCluster();
  return cluster;
}

const ended = (c: Cluster, name: string) => {
  const t = taskFor(c, name);
  return t !== undefined && !live(t);
};

test('deleted while its launch is in flight: the task is killed when the launch lands', async () => {
  const c = await shared();
  // The store deletes the object right after the framework puts its finalizer on it,
  // that is between "this object gets a task" and the accept that launches it.
  const racing = withUpdate(c.store, async (obj: StoredObject) => {
    const out = await c.store.update(obj);
    if (obj.metadata.name === 'in-flight' && obj.metadata.finalizers?.includes(TASK_FINALIZER))
      await c.store.delete('Task', 'in-flight', NS);
    return out;
  });
  await c.restartFramework(racing);
  await c.store.create(task('in-flight'));
  await until(() => taskFor(c, 'in-flight') !== undefined, 10_000, 'the launch');
  await until(() => ended(c, 'in-flight'), 10_000, 'the in-flight task to be killed');
  assert.equal(taskFor(c, 'in-flight')?.state, 'TASK_KILLED');
  await c.restartFramework();
});

test('force-deleted (no finalizer) while running: the task is killed', async () => {
  const c = await shared();
  await c.store.create(task('forced'));
  await until(() => taskFor(c, 'forced')?.state === 'TASK_RUNNING', 10_000, 'forced running');
  await forceDelete(c.store, 'forced');
  await until(() => ended(c, 'forced'), 10_000, 'the forced task to be killed');
  assert.equal(taskFor(c, 'forced')?.state, 'TASK_KILLED');
});

test('a Task naming the framework by its ID is its own: placed, and killed on delete', async () => {
  const c = await shared();
  await c.store.create(task('by-id', { framework: c.framework.id }));
  await until(() => taskFor(c, 'by-id')?.state === 'TASK_RUNNING', 10_000, 'by-id running');
  await c.store.delete('Task', 'by-id', NS);
  await until(() => ended(c, 'by-id'), 10_000, 'the by-id task to be killed');
  assert.equal(taskFor(c, 'by-id')?.state, 'TASK_KILLED');
});

test('an object gone while the framework was down: its task is killed after the restart', async () => {
  const c = await shared();
  await c.store.create(task('orphan'));
  await until(() => taskFor(c, 'orphan')?.state === 'TASK_RUNNING', 10_000, 'orphan running');
  const id = c.framework.id;
  c.framework.stop();
  await forceDelete(c.store, 'orphan');
  // A new instance with the same ID reconciles, hears of the task, finds no object.
  const fw = await c.restartFramework();
  assert.equal(fw.id, id);
  await until(() => ended(c, 'orphan'), 10_000, 'the orphan task to be killed');
  assert.equal(taskFor(c, 'orphan')?.state, 'TASK_KILLED');
});
