// The calls that change a running framework: KILL (with a kill policy) and SHUTDOWN of a
// task's executor end its task with TASK_KILLED; SHUTDOWN of an executor Mezzo does not
// have is refused; UPDATE_FRAMEWORK renames and moves roles but cannot change the user.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mesosCall,
  mesosSubscribe,
  type MesosSubscription,
  type MesosTestEvent,
} from '../../support/mesos-http.js';
import { launchCall, startCluster, type Cluster } from './support.js';

let cluster: Cluster;
let url: string;
let sub: MesosSubscription;
let fwId: string;

before(async () => {
  cluster = await startCluster('mesos-calls-a');
  url = `${cluster.http}/api/v1/scheduler`;
  sub = await mesosSubscribe(
    url,
    {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'nobody', name: 'calls-fw', roles: ['one'] } },
    },
    'json',
  );
  cluster.onStop.push(() => sub.close());
  fwId =
    (await sub.next((e) => e.type === 'SUBSCRIBED', 'SUBSCRIBED')).subscribed?.framework_id.value ??
    '';
});
after(() => cluster.stop());

const call = (body: object) =>
  mesosCall(url, { framework_id: { value: fwId }, ...body }, 'json', sub.streamId);

async function runningTask(taskId: string): Promise<void> {
  // An offer still outstanding (earlier ones were used or went back).
  const outstanding = (e: MesosTestEvent) =>
    e.offers?.offers.find((o) => cluster.controller.core.offers.get(o.id.value) !== undefined);
  const offer = outstanding(
    await sub.next((e) => outstanding(e) !== undefined, 'an outstanding offer'),
  );
  assert.ok(offer);
  assert.equal(
    (
      await mesosCall(
        url,
        launchCall(fwId, offer, taskId, { value: 'sleep 60' }),
        'json',
        sub.streamId,
      )
    ).status,
    202,
  );
  await sub.acknowledgeUntil(
    url,
    fwId,
    'json',
    (e) => e.update?.status.task_id.value === taskId && e.update.status.state === 'TASK_RUNNING',
    `${taskId} running`,
  );
}

const killedState = (taskId: string) =>
  sub.acknowledgeUntil(
    url,
    fwId,
    'json',
    (e) => e.update?.status.task_id.value === taskId && e.update.status.state === 'TASK_KILLED',
    `${taskId} killed`,
  );

test('KILL and SHUTDOWN end a task; an unknown executor is refused', async () => {
  await runningTask('k1');
  const kill = await call({
    type: 'KILL',
    kill: { task_id: { value: 'k1' }, kill_policy: { grace_period: { nanoseconds: 100_000_000 } } },
  });
  assert.equal(kill.status, 202, kill.body);
  await killedState('k1');
  await runningTask('k2');
  const agentId = cluster.controller.core.tasks.get('k2')?.agentId ?? '';
  const shutdown = await call({
    type: 'SHUTDOWN',
    shutdown: { executor_id: { value: 'k2' }, agent_id: { value: agentId } },
  });
  assert.equal(shutdown.status, 202, shutdown.body);
  await killedState('k2');
  const unknown = await call({
    type: 'SHUTDOWN',
    shutdown: { executor_id: { value: 'custom-exec' }, agent_id: { value: agentId } },
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body, /custom-exec/);
});

test('UPDATE_FRAMEWORK renames and changes roles, not the user', async () => {
  const info = (roles: string[], user = 'nobody') => ({
    type: 'UPDATE_FRAMEWORK',
    update_framework: { framework_info: { id: { value: fwId }, user, name: 'calls-fw-2', roles } },
  });
  const res = await call(info(['one', 'two']));
  assert.equal(res.status, 202, res.body);
  const fw = cluster.controller.core.frameworks.get(fwId);
  assert.deepEqual(fw?.roles, ['one', 'two']);
  assert.equal(fw.info.name, 'calls-fw-2');
  const user = await call(info(['one'], 'root'));
  assert.equal(user.status, 400);
  assert.match(user.body, /user/);
  assert.deepEqual(fw.roles, ['one', 'two'], 'a refused update changes nothing');
  const other = await mesosCall(
    url,
    {
      ...info(['one']),
      framework_id: { value: fwId },
      update_framework: { framework_info: { id: { value: 'other' }, user: 'nobody', name: 'x' } },
    },
    'json',
    sub.streamId,
  );
  assert.equal(other.status, 400);
});
