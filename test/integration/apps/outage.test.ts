// Outages are not failures. An agent cut off past the controller's ping timeout turns
// its instances TASK_UNREACHABLE; before, each such update counted as a failure of the
// app, so after the outage a real failure waited a grown backoff. Now an unreachable
// instance holds its place (no failure, no backoff), comes back as the same task, and
// is replaced only after the app's unreachableStrategy.inactiveAfterSeconds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { app, runningTasks, startCluster, statusOf, waitFor, type Cluster } from './support.js';

const clusters: Cluster[] = [];
after(async () => {
  for (const c of clusters) await c.stop();
});

const PING = { agentPingIntervalMs: 100, agentPingTimeoutMs: 600 };

// Writes its PID where the test can find it, by task ID, then sleeps.
const sleeper = (scratch: string) => `echo $$ > ${scratch}/$MESOS_TASK_ID.pid; exec sleep 300`;

const states = (c: Cluster, ids: readonly string[]) =>
  ids.map((id) => c.controller.core.tasks.get(id)?.state);

test('instances cut off and back: no failure, no backoff, the same tasks', async () => {
  const c = await startCluster([['a1', 'cpus:2;mem:512']], PING);
  clusters.push(c);
  const { store } = c;
  await store.create(
    app('steady', {
      command: sleeper(c.scratch),
      instances: 2,
      cpus: 0.1,
      mem: 16,
      backoffSeconds: 0.5,
      backoffFactor: 2,
      maxLaunchDelaySeconds: 8,
    }),
  );
  await waitFor(async () => (await statusOf(store, 'steady')).healthy === 2, 15_000, 'two up');
  const ids = runningTasks(c)
    .map((t) => t.id)
    .sort();

  const restart = await c.cutAgent(0);
  await waitFor(
    () => states(c, ids).every((s) => s === 'TASK_UNREACHABLE'),
    10_000,
    'both instances unreachable',
  );
  await waitFor(
    async () => (await statusOf(store, 'steady')).healthy === 0,
    10_000,
    'the status to count none healthy',
  );
  let s = await statusOf(store, 'steady');
  assert.equal(s.lastTaskFailure, undefined, 'an outage is not a failure');
  assert.equal(s.launchDelayedUntil, undefined, 'and starts no backoff');
  assert.match(availability(s), /0 of 2 instances healthy, 2 unreachable/);

  await restart();
  await waitFor(
    async () =>
      states(c, ids).every((x) => x === 'TASK_RUNNING') &&
      (await statusOf(store, 'steady')).healthy === 2,
    15_000,
    'both back and healthy',
  );
  assert.deepEqual(
    runningTasks(c)
      .map((t) => t.id)
      .sort(),
    ids,
    'the same two tasks: nothing was replaced',
  );
  s = await statusOf(store, 'steady');
  assert.equal(s.lastTaskFailure, undefined);

  // A real failure now waits the first delay, 0.5 s × 2^0 = 500 ms — not the 2 s of a
  // third failure, as when the two unreachable updates counted.
  const victim = ids[0] ?? '';
  process.kill(Number(readFileSync(`${c.scratch}/${victim}.pid`, 'utf8').trim()), 'SIGKILL');
  await waitFor(
    async () => {
      const x = await statusOf(store, 'steady');
      return x.lastTaskFailure?.taskId === victim && x.launchDelayedUntil !== undefined;
    },
    10_000,
    'the failure recorded with its delay',
  );
  s = await statusOf(store, 'steady');
  assert.ok(s.lastTaskFailure && s.launchDelayedUntil);
  assert.equal(s.lastTaskFailure.state, 'TASK_FAILED');
  assert.equal(Date.parse(s.launchDelayedUntil) - Date.parse(s.lastTaskFailure.at), 500);
});

test('an instance away past inactiveAfterSeconds is replaced; back, the surplus goes', async () => {
  const c = await startCluster(
    [
      ['u1', 'cpus:2;mem:512'],
      ['u2', 'cpus:2;mem:512'],
    ],
    PING,
  );
  clusters.push(c);
  const { store } = c;
  await store.create(
    app('single', {
      command: 'exec sleep 300',
      instances: 1,
      cpus: 0.1,
      mem: 16,
      unreachableStrategy: { inactiveAfterSeconds: 1, expungeAfterSeconds: 3600 },
    }),
  );
  await waitFor(async () => (await statusOf(store, 'single')).healthy === 1, 15_000, 'one up');
  const first = runningTasks(c)[0];
  assert.ok(first);
  const host = c.controller.core.agents.get(first.agentId)?.info.hostname;
  const restart = await c.cutAgent(host === 'u1' ? 0 : 1);
  // Unreachable, then inactive after 1 s: a replacement on the other agent.
  await waitFor(
    () => runningTasks(c).some((t) => t.id !== first.id),
    15_000,
    'a replacement running',
  );
  const replacement = runningTasks(c).find((t) => t.id !== first.id);
  assert.notEqual(replacement?.agentId, first.agentId);
  await restart();
  // Both run now; one is surplus and goes (the youngest: the replacement).
  await waitFor(
    async () =>
      c.controller.core.tasks.get(first.id)?.state === 'TASK_RUNNING' &&
      runningTasks(c).length === 1 &&
      (await statusOf(store, 'single')).healthy === 1,
    15_000,
    'back to one instance',
  );
  const s = await statusOf(store, 'single');
  assert.equal(s.lastTaskFailure, undefined, 'no failure along the way');
});

function availability(s: { conditions?: { type: string; message: string }[] }): string {
  return s.conditions?.find((x) => x.type === 'Available')?.message ?? '';
}
