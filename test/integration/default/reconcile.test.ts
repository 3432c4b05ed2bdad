// Task objects converge to what really runs: the default framework reconciles
// periodically (here every 300 ms) and corrects an object that still calls live a task
// the controller no longer has. The stale status is written by hand, as a lost update
// would leave it: RUNNING, on the live agent, for a task that agent never ran.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, NS, startCluster, statusOf, task, taskFor, type Cluster } from './support.js';
import { until } from '../controller/support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

test('an object calling a vanished task RUNNING is corrected by periodic reconciliation', async () => {
  const c = await startCluster(300);
  cluster = c;
  // A real task first, so the stale one sits among objects the framework really serves.
  await c.store.create(task('real'));
  await until(() => taskFor(c, 'real')?.state === 'TASK_RUNNING', 10_000, 'real running');
  const agentId = [...c.controller.core.agents.keys()][0] ?? '';
  // Created with its status in one write (the embedded store keeps it), so the
  // framework never sees it waiting: it is a task it believes it launched.
  await c.store.create({
    ...task('stale'),
    status: {
      state: 'TASK_RUNNING',
      taskId: `${NS}.stale.0badc0de`,
      frameworkId: c.framework.id,
      agentId,
    },
  });
  // The controller answers TASK_GONE: the agent is registered and does not have it.
  await eventually(
    async () => (await statusOf(c.store, 'stale')).state === 'TASK_GONE',
    10_000,
    'the stale object corrected',
  );
  const s = await statusOf(c.store, 'stale');
  assert.equal(s.reason, 'REASON_RECONCILIATION');
  assert.equal(taskFor(c, 'stale'), undefined, 'nothing was launched for it');
  assert.equal((await statusOf(c.store, 'real')).state, 'TASK_RUNNING', 'the real one untouched');
});
