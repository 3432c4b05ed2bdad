import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT_WRITE_GRACE_MS,
  AgentWrites,
  GRANT_WAIT_MS,
} from '../../../src/controller/agent-writes.js';
import type { ControllerCore } from '../../../src/controller/core.js';
import type { TaskRecord } from '../../../src/controller/records.js';
import type { GrantWriter } from '../../../src/controller/task-grants.js';
import type { ObjectRef } from '../../../src/controller/task-object.js';
import type { ControllerMessage } from '../../../src/gen/mezzo/v1/ControllerMessage.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { TASK_OBJECT_UID_LABEL } from '../../../src/shared/task-labels.js';
import type { StoredObject } from '../../../src/store/types.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Two agents: `w` writes its tasks' status (node-w), `n` does not. */
function setup() {
  const clock = new ManualClock(1_000_000);
  const sent: { agent: string; msg: ControllerMessage }[] = [];
  const agent = (id: string, writes: boolean) => ({
    info: { node_name: `node-${id}`, writes_task_status: writes },
    stream: { write: (msg: ControllerMessage) => sent.push({ agent: id, msg }) },
  });
  const core = {
    agents: new Map([
      ['w', agent('w', true)],
      ['n', agent('n', false)],
    ]),
  } as unknown as ControllerCore;
  const writes: Record<string, string | null>[] = [];
  const writer: GrantWriter = {
    write: (entries) => {
      writes.push({ ...entries });
      return Promise.resolve();
    },
  };
  const requeued: string[] = [];
  const aw = new AgentWrites(core, writer, clock, silentLogger(), AGENT_WRITE_GRACE_MS, (id) =>
    requeued.push(id),
  );
  return { clock, sent, writes, requeued, aw };
}

function task(id: string, agentId: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    agentId,
    state: 'TASK_STAGING',
    status: undefined,
    info: { labels: { [TASK_OBJECT_UID_LABEL]: `uid-${id}` } },
    ...over,
  } as unknown as TaskRecord;
}

const launchedFor = (name: string): ObjectRef => ({ namespace: 'team', name, launchedFor: true });

test('a task is granted only when launched here for an object, on an agent that writes', () => {
  const { aw } = setup();
  const cases: [string, TaskRecord, ObjectRef, boolean][] = [
    ['launched for an object on a writing agent', task('t1', 'w'), launchedFor('a'), true],
    ['on an agent that does not write', task('t2', 'n'), launchedFor('b'), false],
    [
      'launched through an offer (its object is made here)',
      task('t3', 'w'),
      { namespace: 'team', name: 't3', launchedFor: false },
      false,
    ],
    ['rebuilt from the store', task('t4', 'w', { fromStore: true }), launchedFor('d'), false],
    ['learned from its agent', task('t5', 'w', { adopted: true }), launchedFor('e'), false],
    [
      'without the object uid label',
      task('t6', 'w', { info: { labels: {} } }),
      launchedFor('f'),
      false,
    ],
    ['on an agent not known', task('t7', 'gone'), launchedFor('g'), false],
  ];
  for (const [what, t, ref, want] of cases) assert.equal(aw.grant(t, ref), want, what);
});

test('a written grant is told to its agent, and the grace runs from then', async () => {
  const { clock, sent, writes, requeued, aw } = setup();
  await aw.start();
  assert.deepEqual(writes, [{}], 'the map is written whole at start');
  const t1 = task('t1', 'w', { state: 'TASK_RUNNING' });
  const t2 = task('t2', 'w', { state: 'TASK_RUNNING' });
  const launched = clock.now();
  assert.ok(aw.grant(t1, launchedFor('a')));
  assert.ok(aw.grant(t2, launchedFor('b')));
  // Before the grant is written the mirror waits up to GRANT_WAIT_MS from the launch.
  assert.equal(aw.holds(t1, launched), true);
  await settle();
  assert.deepEqual(writes[1], { 'team.a': 'node-w uid-t1 t1', 'team.b': 'node-w uid-t2 t2' });
  // One message to the agent, both tasks in it.
  assert.deepEqual(sent, [
    { agent: 'w', msg: { status_writes_granted: { task_ids: ['t1', 't2'] } } },
  ]);
  // Now the wait is the grace from the write: held until it ends, then the sync is queued.
  clock.advance(AGENT_WRITE_GRACE_MS - 1);
  assert.equal(aw.holds(t1, launched), true);
  assert.deepEqual(requeued, []);
  clock.advance(1);
  assert.deepEqual(requeued.sort(), ['t1', 't2']);
  assert.equal(aw.holds(t1, launched), false, 'the mirror writes it itself now');
  await aw.stop();
});

test('a grant never written holds the mirror only until GRANT_WAIT_MS after the launch', async () => {
  const { clock, requeued, aw } = setup();
  const t = task('t1', 'w', { state: 'TASK_RUNNING' });
  const launched = clock.now();
  // No flush runs (start() not called, no settle): the grant stays unwritten.
  assert.equal(aw.holds(t, launched), true);
  clock.advance(GRANT_WAIT_MS);
  assert.deepEqual(requeued, ['t1']);
  assert.equal(aw.holds(t, launched), false);
  // A final state is never held.
  assert.equal(aw.holds(task('t2', 'w', { state: 'TASK_FINISHED' }), clock.now()), false);
  await aw.stop();
});

test("the agent's write is recognised by state, task and node; done() takes the grant back", async () => {
  const { writes, aw } = setup();
  await aw.start();
  const t = task('t1', 'w', { state: 'TASK_RUNNING' });
  aw.grant(t, launchedFor('a'));
  await settle();
  const obj = (status: Record<string, unknown>) => ({ status }) as unknown as StoredObject;
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['the agent wrote RUNNING', { state: 'TASK_RUNNING', taskId: 't1', nodeName: 'node-w' }, true],
    ['another state', { state: 'TASK_STAGING', taskId: 't1', nodeName: 'node-w' }, false],
    ['another task', { state: 'TASK_RUNNING', taskId: 't9', nodeName: 'node-w' }, false],
    ['another node', { state: 'TASK_RUNNING', taskId: 't1', nodeName: 'node-n' }, false],
    ['nothing yet', {}, false],
  ];
  for (const [what, status, want] of cases) assert.equal(aw.shows(obj(status), t), want, what);
  aw.done('t1', launchedFor('a'));
  await settle();
  assert.deepEqual(writes.at(-1), { 'team.a': null });
  await aw.stop();
});
