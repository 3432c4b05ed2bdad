// The instance view: launches, status updates, failures versus kills the framework asked
// for, health kept across updates that do not carry it, and adoption after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstanceTracker, isGone, isUnreachable } from '../../../src/frameworks/apps/instances.js';
import type { TaskState__Output as TaskState } from '../../../src/gen/mezzo/v1/TaskState.js';

const ID = 'team.web.0123456789.abcd1234';
const agent = { hostname: 'a1', attributes: {} };

function launched(): InstanceTracker {
  const t = new InstanceTracker();
  t.launched({
    taskId: ID,
    app: 'team/web',
    version: '0123456789',
    agentId: 'a1',
    agent,
    launchedAt: 1,
  });
  return t;
}

const update = (state: TaskState, healthy?: boolean) => ({
  task_id: ID,
  state,
  agent_id: 'a1',
  ...(healthy !== undefined ? { healthy } : {}),
});

test('a launch is staged until the controller says otherwise', () => {
  const t = launched();
  assert.equal(t.get(ID)?.state, 'TASK_STAGING');
  assert.deepEqual(
    t.of('team/web').map((i) => i.taskId),
    [ID],
  );
});

test('running, then a health result, then an update without one keeps the result', () => {
  const t = launched();
  t.apply(update('TASK_RUNNING'), 10, agent);
  assert.equal(t.get(ID)?.runningSince, 10);
  t.apply(update('TASK_RUNNING', true), 20, agent);
  t.apply(update('TASK_RUNNING'), 30, agent);
  assert.equal(t.get(ID)?.healthy, true);
  assert.equal(t.get(ID)?.runningSince, 10, 'runningSince is the first RUNNING');
});

// [final state, its reason, killed by the framework first, counts as a failure]. Outages
// are not failures: before, TASK_UNREACHABLE ended the instance as a failure, so an
// agent cut off past its ping timeout fed the app's restart backoff.
const ends: [TaskState, string, boolean, boolean][] = [
  ['TASK_FAILED', '', false, true],
  ['TASK_FINISHED', '', false, true], // a service that exits has failed
  ['TASK_KILLED', '', false, true], // killed by the agent (unhealthy) or an operator
  ['TASK_KILLED', '', true, false], // killed because the framework asked
  ['TASK_ERROR', '', false, true],
  ['TASK_DROPPED', '', false, true],
  ['TASK_GONE', '', false, true],
  ['TASK_GONE_BY_OPERATOR', '', false, true],
  ['TASK_LOST', 'REASON_COMMAND_EXECUTOR_FAILED', false, true], // Marathon's Gone
  ['TASK_UNKNOWN', 'REASON_RECONCILIATION', false, false], // no record: no blame
];
for (const [state, reason, asked, failed] of ends) {
  test(`${state}${asked ? ' after our kill' : ''}: ended, failure=${failed}`, () => {
    const t = launched();
    if (asked) t.markKilled(ID, 4);
    const out = t.apply({ ...update(state), reason }, 5, agent);
    assert.equal(out?.ended, true);
    assert.equal(out.failed, failed);
    assert.equal(t.get(ID), undefined, 'forgotten');
    assert.equal(isGone(state, reason), true);
  });
}

// [state, reason]: the agent is out of touch; the task may well still run.
const away: [TaskState, string][] = [
  ['TASK_UNREACHABLE', 'REASON_AGENT_DISCONNECTED'],
  ['TASK_UNREACHABLE', 'REASON_RECONCILIATION'],
  ['TASK_LOST', 'REASON_AGENT_DISCONNECTED'],
  ['TASK_LOST', 'REASON_AGENT_REMOVED'],
  ['TASK_LOST', 'REASON_RECONCILIATION'],
];
for (const [state, reason] of away) {
  test(`${state} (${reason}) keeps the instance, unreachable, and blames nothing`, () => {
    const t = launched();
    t.apply(update('TASK_RUNNING', true), 10, agent);
    const out = t.apply({ ...update(state), reason }, 20, agent);
    assert.equal(out?.ended, false);
    assert.equal(out.failed, false);
    assert.equal(isUnreachable(state, reason), true);
    assert.equal(t.get(ID)?.state, 'TASK_UNREACHABLE');
    assert.equal(t.get(ID)?.unreachableSince, 20);
    assert.equal(t.get(ID)?.healthy, undefined, 'health unknown while away');
    // A second report keeps the time it was first seen away.
    t.apply({ ...update(state), reason }, 30, agent);
    assert.equal(t.get(ID)?.unreachableSince, 20);
    // Back: running again, reachable, and still never a failure.
    const back = t.apply(update('TASK_RUNNING', true), 40, agent);
    assert.equal(back?.failed, false);
    assert.equal(t.get(ID)?.unreachableSince, undefined);
    assert.equal(t.get(ID)?.healthy, true);
    assert.equal(t.get(ID)?.runningSince, 10, 'the same run');
  });
}

test('after a restart a live update of an unknown instance adopts it; an ended one is ignored', () => {
  const t = new InstanceTracker();
  const out = t.apply(update('TASK_RUNNING', true), 7, agent);
  assert.equal(out?.instance.app, 'team/web');
  assert.equal(out.instance.version, '0123456789');
  assert.equal(out.instance.healthy, true);
  const other = new InstanceTracker();
  assert.equal(other.apply(update('TASK_FAILED'), 7, agent), undefined);
  assert.equal(other.all().length, 0);
});

test('updates of tasks that are not app instances are not ours to track', () => {
  const t = new InstanceTracker();
  assert.equal(
    t.apply({ task_id: 'default.hello.1234', state: 'TASK_RUNNING', agent_id: 'a1' }, 1, agent),
    undefined,
  );
  assert.equal(t.all().length, 0);
});
