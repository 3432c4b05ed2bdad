// ACCEPT with LAUNCH_GROUP over Mesos' scheduler API, in JSON and in protobuf, on a real
// controller and agent: a group of tasks launches on the offer's agent and every update
// is acknowledged; a group that is invalid or does not fit (its executor's resources
// counted) launches nothing and each task ends TASK_ERROR with REASON_TASK_GROUP_INVALID,
// as Mesos' master answers; what Mezzo cannot run (a CUSTOM executor...) is a 400 naming
// it; and the group shares its fate as under Mesos' default executor: one task failed or
// killed, the others are killed (a task launched beside the group with LAUNCH is not).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller } from '../../../src/controller/controller.js';
import { TASK_GROUP_LABEL } from '../../../src/controller/task-group.js';
import { startCluster, type Cluster } from './support.js';
import {
  accept,
  defaultExecutor,
  launchGroup,
  outstandingOffer,
  scalar,
  small,
  subscribeGroupFramework,
  task,
  untilAll,
  type Offer,
} from './mesos-group-support.js';

let cluster: Cluster;
let controller: Controller;
let url: string;

before(async () => {
  cluster = await startCluster('mesos-group-a', 'cpus:2;mem:1024');
  controller = cluster.controller;
  url = `${cluster.http}/api/v1/scheduler`;
});
after(() => cluster.stop());

const subscribed = (name: string, format: 'json' | 'protobuf') =>
  subscribeGroupFramework({ controller, url, onStop: cluster.onStop }, name, format);

const agentRuns = (id: string) => [...controller.core.agents.values()].some((a) => a.tasks.has(id));

for (const format of ['json', 'protobuf'] as const) {
  test(`a task group launches on the offer's agent and finishes, over ${format}`, async () => {
    const fw = await subscribed(`group-run-${format}`, format);
    const offer = await outstandingOffer(fw);
    const ids = [`g-${format}-1`, `g-${format}-2`];
    const res = await fw.call(
      accept(
        offer,
        launchGroup(
          defaultExecutor(`exec-${format}`, { framework_id: { value: fw.id } }),
          ids.map((id) => task(id, offer, 'sleep 0.2')),
        ),
      ),
    );
    assert.equal(res.status, 202, res.body);
    const seen = await untilAll(fw, ids, 'TASK_FINISHED');
    const groups = new Set<string | undefined>();
    for (const id of ids) {
      const states = (seen.get(id) ?? []).filter((s) => s !== 'TASK_STARTING');
      assert.deepEqual(states, ['TASK_RUNNING', 'TASK_FINISHED'], id);
      const rec = controller.core.tasks.get(id);
      assert.equal(rec?.agentId, offer.agent_id.value, `${id} on the offer's agent`);
      groups.add(rec.info.labels?.[TASK_GROUP_LABEL]);
    }
    assert.equal(groups.size, 1, 'one group');
    assert.ok([...groups][0], 'the group is recorded on its tasks');
    // Every update of the agent's (it has a uuid) was acknowledged.
    const updates = fw.sub.events.filter((e) => ids.includes(e.update?.status.task_id.value ?? ''));
    for (const e of updates) {
      const uuid = e.update?.status.uuid;
      if (uuid) assert.ok(fw.sub.acked.has(uuid), 'acknowledged');
    }
    fw.sub.close();
  });

  test(`an invalid task group launches nothing: TASK_GROUP_INVALID for each task, over ${format}`, async () => {
    const fw = await subscribed(`group-invalid-${format}`, format);
    const rows: { what: string; group: (o: Offer, ids: string[]) => object; says: RegExp }[] = [
      {
        what: 'the tasks ask more than is offered',
        group: (o, ids) =>
          launchGroup(
            defaultExecutor('e'),
            ids.map((id) => task(id, o, 'true', { resources: [scalar('cpus', 1.5), small[1]] })),
          ),
        says: /more than is left in the offers/,
      },
      {
        what: "the executor's resources tip it over",
        group: (o, ids) =>
          launchGroup(
            defaultExecutor('e', { resources: [scalar('cpus', 0.5), scalar('mem', 32)] }),
            ids.map((id) => task(id, o, 'true', { resources: [scalar('cpus', 0.9), small[1]] })),
          ),
        says: /task group and its executor ask for/,
      },
      {
        what: 'one task cannot be limited (no mem)',
        group: (o, [a = '', b = '']) =>
          launchGroup(defaultExecutor('e'), [
            task(a, o, 'true'),
            task(b, o, 'true', { resources: [scalar('cpus', 0.1)] }),
          ]),
        says: /cannot be limited/,
      },
      {
        what: 'an executor without a type',
        group: (o, ids) =>
          launchGroup(
            { executor_id: { value: 'e' } },
            ids.map((id) => task(id, o, 'true')),
          ),
        says: /'ExecutorInfo\.type' must be set/,
      },
      {
        what: 'a DEFAULT executor with a command',
        group: (o, ids) =>
          launchGroup(
            defaultExecutor('e', { command: { value: 'my-executor' } }),
            ids.map((id) => task(id, o, 'true')),
          ),
        says: /must not be set for 'DEFAULT' executor/,
      },
      {
        what: 'a task naming another executor',
        group: (o, [a = '', b = '']) =>
          launchGroup(defaultExecutor('e'), [
            task(a, o, 'true'),
            task(b, o, 'true', { executor: defaultExecutor('other') }),
          ]),
        says: /is different from executor 'e'/,
      },
      {
        what: "another framework's executor",
        group: (o, ids) =>
          launchGroup(
            defaultExecutor('e', { framework_id: { value: 'not-mine' } }),
            ids.map((id) => task(id, o, 'true')),
          ),
        says: /invalid FrameworkID/,
      },
    ];
    for (const [n, row] of rows.entries()) {
      const ids = [`bad-${format}-${n}-a`, `bad-${format}-${n}-b`];
      const offer = await outstandingOffer(fw);
      const res = await fw.call(accept(offer, row.group(offer, ids)));
      assert.equal(res.status, 202, `${row.what}: ${res.body}`);
      for (const id of ids) {
        const e = await fw.sub.next((x) => x.update?.status.task_id.value === id, id);
        const s = e.update?.status;
        assert.equal(s?.state, 'TASK_ERROR', row.what);
        assert.equal(s.reason, 'REASON_TASK_GROUP_INVALID', row.what);
        assert.match(s.message ?? '', row.says, row.what);
        assert.equal(controller.core.tasks.get(id)?.state, 'TASK_ERROR', row.what);
        assert.equal(agentRuns(id), false, `${row.what}: ${id} never reached the agent`);
      }
      assert.equal(controller.core.offers.get(offer.id.value), undefined, 'the offer is used up');
    }
    fw.sub.close();
  });

  test(`what Mezzo cannot run in a task group is a 400 naming it, over ${format}`, async () => {
    const fw = await subscribed(`group-refused-${format}`, format);
    const offer = await outstandingOffer(fw);
    const t = (id: string, extra: object = {}) => task(`${format}-${id}`, offer, 'true', extra);
    const rows: { what: string; op: object; says: RegExp }[] = [
      {
        what: 'a CUSTOM executor',
        op: launchGroup(
          { type: 'CUSTOM', executor_id: { value: 'c' }, command: { value: 'my-executor' } },
          [t('r1')],
        ),
        says: /executor c: CUSTOM executors are not supported by Mezzo/,
      },
      {
        what: "an executor's container",
        op: launchGroup(defaultExecutor('c', { container: { type: 'MESOS' } }), [t('r2')]),
        says: /executor c: container/,
      },
      {
        what: "an executor's data",
        op: launchGroup(defaultExecutor('c', { data: 'aGk=' }), [t('r3')]),
        says: /executor c: data/,
      },
      {
        what: "a task's container",
        op: launchGroup(defaultExecutor('c'), [t('r4', { container: { type: 'MESOS' } })]),
        says: /container/,
      },
      {
        what: 'no tasks',
        op: launchGroup(defaultExecutor('c'), []),
        says: /the task group has no tasks/,
      },
      {
        what: 'no launch_group',
        op: { type: 'LAUNCH_GROUP' },
        says: /a LAUNCH_GROUP needs 'launch_group'/,
      },
    ];
    // protobufjs cannot even encode an ExecutorInfo without its required executor_id.
    if (format === 'json')
      rows.push({
        what: 'an executor without executor_id',
        op: launchGroup({ type: 'DEFAULT' }, [t('r5')]),
        says: /executor_id: required field of ExecutorInfo missing/,
      });
    for (const row of rows) {
      const res = await fw.call(accept(offer, row.op));
      assert.equal(res.status, 400, `${row.what}: ${res.body}`);
      assert.match(res.body, row.says, row.what);
    }
    assert.ok(controller.core.offers.get(offer.id.value), 'a refused call leaves the offer');
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5'])
      assert.equal(controller.core.tasks.get(`${format}-${id}`), undefined, `${id} not recorded`);
    fw.sub.close();
  });
}

test('a task group shares its fate: one task failed or killed, the others are killed', async () => {
  const fw = await subscribed('group-fate', 'json');
  const rows: {
    what: string;
    commands: [string, string];
    /** What is done once both run; undefined: nothing. */
    act?: (first: string) => Promise<void>;
    ends: [string, string];
  }[] = [
    {
      what: 'the first task fails',
      commands: ['sleep 0.5; exit 3', 'sleep 300'],
      ends: ['TASK_FAILED', 'TASK_KILLED'],
    },
    {
      what: 'the first task is killed',
      commands: ['sleep 300', 'sleep 300'],
      act: async (first) => {
        const res = await fw.call({ type: 'KILL', kill: { task_id: { value: first } } });
        assert.equal(res.status, 202, res.body);
      },
      ends: ['TASK_KILLED', 'TASK_KILLED'],
    },
    {
      what: 'the first task finishes (the other goes on to its end)',
      commands: ['true', 'sleep 1'],
      ends: ['TASK_FINISHED', 'TASK_FINISHED'],
    },
  ];
  for (const [n, row] of rows.entries()) {
    const ids = [`fate-${n}-a`, `fate-${n}-b`];
    const beside = `fate-${n}-beside`;
    const offer = await outstandingOffer(fw);
    const res = await fw.call(
      accept(
        offer,
        launchGroup(
          defaultExecutor(`fate-${n}`),
          ids.map((id, i) => task(id, offer, row.commands[i] ?? 'true')),
        ),
        // A task of the same ACCEPT outside the group: not the group's fate.
        { type: 'LAUNCH', launch: { task_infos: [task(beside, offer, 'sleep 300')] } },
      ),
    );
    assert.equal(res.status, 202, res.body);
    await untilAll(fw, [beside], 'TASK_RUNNING');
    if (row.act) {
      await untilAll(fw, ids, 'TASK_RUNNING');
      await row.act(ids[0] ?? '');
    }
    for (const [i, id] of ids.entries()) {
      const end = row.ends[i] ?? '';
      const seen = await untilAll(fw, [id], end);
      assert.equal(seen.get(id)?.at(-1), end, `${row.what}: ${id}`);
    }
    const besideRec = controller.core.tasks.get(beside);
    assert.equal(besideRec?.state, 'TASK_RUNNING', `${row.what}: the task beside runs on`);
    assert.equal(besideRec.killedWithGroup, undefined, `${row.what}: nor was it told to stop`);
    const kill = await fw.call({ type: 'KILL', kill: { task_id: { value: beside } } });
    assert.equal(kill.status, 202, kill.body);
    await untilAll(fw, [beside], 'TASK_KILLED');
  }
  fw.sub.close();
});
