// A controller restart with a Mesos task group running: the new controller learns the
// group from the agent's report of its tasks (the TaskInfo label), and the group's fate
// still holds: a KILL of one task kills the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TASK_GROUP_LABEL } from '../../../src/controller/task-group.js';
import { startAgent, startController, until } from '../controller/support.js';
import {
  accept,
  defaultExecutor,
  launchGroup,
  outstandingOffer,
  subscribeGroupFramework,
  task,
  untilAll,
} from './mesos-group-support.js';

const schedulerUrl = (port: number) => `http://127.0.0.1:${String(port)}/api/v1/scheduler`;

test('a restarted controller learns the task groups again from the agent', async (t) => {
  const first = await startController();
  t.after(() => first.controller.stop());
  const grpcPort = Number(first.controller.grpcAddress.split(':').pop());
  const agent = await startAgent(first.controller.grpcAddress, 'cpus:1;mem:256', 'group-restart');
  t.after(() => agent.stop());
  await until(() => first.controller.core.agents.size === 1, 10_000, 'the agent');
  const onStop: (() => void)[] = [];
  t.after(() => {
    for (const c of onStop) c();
  });
  const fw = await subscribeGroupFramework(
    { controller: first.controller, url: schedulerUrl(first.controller.httpPort), onStop },
    'group-restart',
    'json',
  );
  const offer = await outstandingOffer(fw);
  const ids = ['restart-a', 'restart-b'];
  const res = await fw.call(
    accept(
      offer,
      launchGroup(
        defaultExecutor('restart-exec'),
        ids.map((id) => task(id, offer, 'sleep 300')),
      ),
    ),
  );
  assert.equal(res.status, 202, res.body);
  await untilAll(fw, ids, 'TASK_RUNNING');
  fw.sub.close();

  await first.controller.stop();
  const second = await startController(first.dir, grpcPort);
  t.after(() => second.controller.stop());
  const core = second.controller.core;
  await until(() => core.agents.size === 1, 10_000, 'the agent to register again');
  await until(
    () => ids.every((id) => core.tasks.get(id)?.info.labels?.[TASK_GROUP_LABEL] !== undefined),
    10_000,
    'the tasks and their group, from the agent',
  );
  const again = await subscribeGroupFramework(
    { controller: second.controller, url: schedulerUrl(second.controller.httpPort), onStop },
    'group-restart',
    'json',
    fw.id,
  );
  assert.equal(again.id, fw.id);
  const kill = await again.call({ type: 'KILL', kill: { task_id: { value: 'restart-a' } } });
  assert.equal(kill.status, 202, kill.body);
  await untilAll(again, ids, 'TASK_KILLED');
  assert.equal(core.tasks.get('restart-b')?.killedWithGroup, true, 'killed for its group');
  again.sub.close();
});
