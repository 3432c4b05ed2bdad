// A delete always wins over the default framework's tasks: whether the Task object goes
// as its launch lands, is made again under its name, is force-deleted after, names the
// framework by its ID rather than its name, or vanishes while the framework is down,
// the task is killed and nothing keeps running without an owner.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../controller/support.js';
import {
  eventually,
  forceDelete,
  live,
  NS,
  startCluster,
  statusOf,
  task,
  taskFor,
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

test('deleted as its launch lands: the task is killed', async () => {
  const c = await shared();
  await c.store.create(task('in-flight'));
  await until(() => taskFor(c, 'in-flight') !== undefined, 10_000, 'the launch');
  await c.store.delete('Task', 'in-flight', NS);
  await until(() => ended(c, 'in-flight'), 10_000, 'the in-flight task to be killed');
  assert.equal(taskFor(c, 'in-flight')?.state, 'TASK_KILLED');
});

// Nothing holds a Task's name while its task runs (no finalizer): an object made again
// under it at once is another object. The old task is killed, its end is never written
// onto the new object (the mirror checks the uid the task was launched for), and the new
// object, which waited behind the old task, gets a task of its own.
test('deleted and made again under its name: the old task killed, the new one placed', async () => {
  const c = await shared();
  await c.store.create(task('again'));
  await until(() => taskFor(c, 'again')?.state === 'TASK_RUNNING', 10_000, 'the first task');
  const first = taskFor(c, 'again')?.id ?? '';
  await c.store.delete('Task', 'again', NS);
  await c.store.create(task('again'));
  await until(
    () => c.controller.core.tasks.get(first)?.state === 'TASK_KILLED',
    10_000,
    'the first task killed',
  );
  await eventually(
    async () => {
      const s = await statusOf(c.store, 'again');
      return s.state === 'TASK_RUNNING' && s.taskId !== first;
    },
    20_000,
    'the new object running a task of its own',
  );
  const second = (await statusOf(c.store, 'again')).taskId ?? '';
  assert.equal(c.controller.core.tasks.get(second)?.state, 'TASK_RUNNING');
  assert.notEqual(second, first);
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
