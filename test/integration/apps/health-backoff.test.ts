// Unhealthy and crashing instances on a real agent: an instance whose COMMAND health check
// starts failing is killed by the agent and replaced; a crash-looping app's relaunches
// wait the restart backoff, min(0.5 s × 2^(failures−1), 4 s), as its status reports.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { app, NS, runningTasks, startCluster, statusOf, waitFor, type Cluster } from './support.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
});

test('an instance turning unhealthy is killed and replaced', async () => {
  const c = await startCluster([['a1', 'cpus:2;mem:512;ports:[31000-31100]']]);
  cluster = c;
  const { store } = c;
  await store.create(
    app('checked', {
      command: 'exec sleep 300',
      instances: 2,
      cpus: 0.1,
      mem: 16,
      // Healthy until a file named after the instance's task ID appears in the scratch dir.
      healthChecks: [
        {
          type: 'COMMAND',
          command: `test ! -e ${c.scratch}/sick.$MESOS_TASK_ID`,
          intervalSeconds: 0.3,
          timeoutSeconds: 0.3,
          consecutiveFailures: 2,
          gracePeriodSeconds: 0,
        },
      ],
      backoffSeconds: 0.2,
    }),
  );
  await waitFor(
    async () =>
      (await statusOf(store, 'checked')).healthy === 2 && runningTasks(c, true).length === 2,
    15_000,
    'two healthy instances',
  );
  const victim = runningTasks(c)[0];
  assert.ok(victim);
  writeFileSync(`${c.scratch}/sick.${victim.id}`, '');
  await waitFor(
    async () => {
      const s = await statusOf(store, 'checked');
      return (
        s.lastTaskFailure?.taskId === victim.id &&
        s.healthy === 2 &&
        runningTasks(c, true).length === 2 &&
        !runningTasks(c).some((t) => t.id === victim.id)
      );
    },
    15_000,
    'the unhealthy instance replaced',
  );
  assert.equal((await statusOf(store, 'checked')).lastTaskFailure?.state, 'TASK_KILLED');
  await store.delete('App', 'checked', NS);
  await waitFor(async () => !(await store.get('App', 'checked', NS)), 10_000, 'checked deleted');
});

test('a crash-looping app backs off: 0.5 s, 1 s, 2 s after the 1st, 2nd, 3rd failure', async () => {
  const c = cluster;
  assert.ok(c, 'the cluster of the first test');
  const { store } = c;
  await store.create(
    app('crashy', {
      command: 'exit 1',
      instances: 1,
      cpus: 0.1,
      mem: 16,
      backoffSeconds: 0.5,
      backoffFactor: 2,
      maxLaunchDelaySeconds: 4,
    }),
  );
  // launchDelayedUntil − lastTaskFailure.at is the delay the framework applied.
  const seen = new Set<number>();
  await waitFor(
    async () => {
      const s = await statusOf(store, 'crashy');
      if (s.launchDelayedUntil && s.lastTaskFailure) {
        seen.add(Date.parse(s.launchDelayedUntil) - Date.parse(s.lastTaskFailure.at));
      }
      return seen.has(2_000);
    },
    20_000,
    () => `a 2 s delay (seen ${[...seen].join(', ')} ms)`,
  );
  // 0.5 × 2^0, 0.5 × 2^1, 0.5 × 2^2 seconds, in that order of failures.
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [500, 1_000, 2_000],
  );
  const s = await statusOf(store, 'crashy');
  assert.equal(s.conditions?.find((x) => x.type === 'Progressing')?.reason, 'BackingOff');
  await store.delete('App', 'crashy', NS);
  await waitFor(async () => !(await store.get('App', 'crashy', NS)), 10_000, 'crashy deleted');
});
