// What the Task mirror writes onto a Task object (src/controller/task-object.ts): the
// status over the object's current one, and the object made for an offer-launched task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../../../src/allocator/resources.js';
import type { AgentRecord, TaskRecord } from '../../../src/controller/records.js';
import {
  newTaskObject,
  TASK_ID_LABEL,
  TASK_MIRROR_FINALIZER,
  taskObjectOf,
  taskObjectStatus,
} from '../../../src/controller/task-object.js';

const T0 = Date.UTC(2026, 11, 2, 6, 0, 0);
const T1 = T0 + 5_000;

function task(state: string, status: Partial<NonNullable<TaskRecord['status']>> = {}): TaskRecord {
  return {
    id: 'web-1',
    frameworkId: 'fw-1',
    agentId: 'agent-1',
    info: { name: 'web', labels: { tier: 'front', 'bad label!': 'x' }, command: { value: 'true' } },
    resources: Resources.fromQuantities({ cpus: 0.5, mem: 64 }),
    role: '*',
    state,
    status: { state, reason: 'REASON_UNSPECIFIED', message: '', ...status },
    recovered: false,
  } as unknown as TaskRecord;
}

const agent = { info: { hostname: 'node-a', node_name: '' } } as unknown as AgentRecord;

// [what, state, status extras, previous status, expected fields (undefined: absent)]
const cases: [string, string, object, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'RUNNING for the first time: startTime now, no finishTime, unspecified reason left out',
    'TASK_RUNNING',
    {},
    {},
    {
      state: 'TASK_RUNNING',
      startTime: new Date(T1).toISOString(),
      finishTime: undefined,
      reason: undefined,
      hostname: 'node-a',
      nodeName: undefined,
    },
  ],
  [
    'RUNNING again keeps the first startTime',
    'TASK_RUNNING',
    {},
    { state: 'TASK_RUNNING', startTime: 'earlier' },
    { startTime: 'earlier' },
  ],
  [
    'FAILED: reason, message, exit code and finishTime; fields the mirror does not own kept',
    'TASK_FAILED',
    {
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      message: 'exit 3',
      exit: 'exit_code',
      exit_code: 3,
    },
    { startTime: 'earlier', other: 'kept' },
    {
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      message: 'exit 3',
      exitCode: 3,
      finishTime: new Date(T1).toISOString(),
      startTime: 'earlier',
      other: 'kept',
    },
  ],
];

for (const [what, state, extras, prev, expected] of cases) {
  test(what, () => {
    const s = taskObjectStatus(task(state, extras), prev, agent, T1);
    for (const [k, v] of Object.entries(expected)) {
      if (v === undefined) assert.ok(!(k in s), `${k} absent`);
      else assert.deepEqual(s[k], v, k);
    }
    assert.equal(s.taskId, 'web-1');
    assert.equal(s.agentId, 'agent-1');
  });
}

test("the Running condition's transition time moves only when the state flips", () => {
  const running = taskObjectStatus(task('TASK_RUNNING'), {}, agent, T0);
  const again = taskObjectStatus(task('TASK_RUNNING'), running, agent, T1);
  const ended = taskObjectStatus(task('TASK_FINISHED'), again, agent, T1);
  type C = { type: string; status: string; lastTransitionTime: string; reason: string }[];
  const at = (s: Record<string, unknown>) => (s.conditions as C)[0];
  assert.equal(at(running)?.status, 'True');
  assert.equal(at(again)?.lastTransitionTime, at(running)?.lastTransitionTime);
  assert.equal(at(ended)?.status, 'False');
  assert.equal(at(ended)?.reason, 'Finished');
  assert.equal(at(ended)?.lastTransitionTime, new Date(T1).toISOString());
});

test('an offer-launched task gets an object named by its ID, with valid labels only', () => {
  const t = task('TASK_STAGING');
  const ref = taskObjectOf(t, 'mezzo');
  assert.deepEqual(ref, { namespace: 'mezzo', name: 'web-1', launchedFor: false });
  const obj = newTaskObject(t, ref, 'uid-fw');
  assert.deepEqual(obj.metadata.finalizers, [TASK_MIRROR_FINALIZER]);
  assert.deepEqual(obj.metadata.labels, { tier: 'front', [TASK_ID_LABEL]: 'web-1' });
  assert.equal(obj.metadata.ownerReferences?.[0]?.uid, 'uid-fw');
  // 0.5 cpus and 64 MiB, as the Task CRD spells them.
  assert.deepEqual(obj.spec, {
    framework: 'fw-1',
    command: 'true',
    resources: { cpus: 0.5, mem: '64Mi' },
  });
});

test('a task launched for an object is mirrored to that object', () => {
  const t = task('TASK_RUNNING');
  t.info.labels = { 'mezzo.dev/task-object': 'team-a/web' };
  assert.deepEqual(taskObjectOf(t, 'mezzo'), {
    namespace: 'team-a',
    name: 'web',
    launchedFor: true,
  });
});
