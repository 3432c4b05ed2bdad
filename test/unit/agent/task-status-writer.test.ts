import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskStatusWriter, taskObjectOf } from '../../../src/agent-sidecar/task-status-writer.js';
import type { TaskInfo__Output } from '../../../src/gen/mezzo/v1/TaskInfo.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { ThrottledError } from '../../../src/shared/errors.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { TASK_OBJECT_LABEL, TASK_OBJECT_UID_LABEL } from '../../../src/shared/task-labels.js';

const who = { nodeName: 'node-a', hostname: 'host-a', agentId: () => 'agent-1' };

function task(labels: Record<string, string>): TaskInfo__Output {
  return { task_id: 'task-1', labels } as unknown as TaskInfo__Output;
}

const launchedFor = task({ [TASK_OBJECT_LABEL]: 'team/web', [TASK_OBJECT_UID_LABEL]: 'uid-1' });

/** Lets the writer's awaited patch settle (each attempt is a few microtasks). */
const settle = () => new Promise((r) => setImmediate(r));

test('the Task object a task was launched for comes from its labels; none without both', () => {
  assert.deepEqual(taskObjectOf(launchedFor), { namespace: 'team', name: 'web', uid: 'uid-1' });
  assert.equal(taskObjectOf(task({ [TASK_OBJECT_LABEL]: 'team/web' })), undefined);
  assert.equal(taskObjectOf(task({ [TASK_OBJECT_UID_LABEL]: 'uid-1' })), undefined);
  assert.equal(
    taskObjectOf(task({ [TASK_OBJECT_LABEL]: 'web', [TASK_OBJECT_UID_LABEL]: 'u' })),
    undefined,
  );
});

/** A writer whose patch calls are recorded (at their clock time) and answered by `answer`. */
function writer(clock: ManualClock, answer: (n: number) => Promise<void>, giveUpMs?: number) {
  const calls: { at: number; args: unknown[] }[] = [];
  const w = new TaskStatusWriter(
    (...args) => {
      calls.push({ at: clock.now(), args });
      return answer(calls.length);
    },
    who,
    clock,
    silentLogger(),
    giveUpMs,
  );
  return { w, calls };
}

/** Advances `clock` by `ms` in 50 ms steps, letting the writer's promises settle between. */
async function run(clock: ManualClock, ms: number) {
  for (let t = 0; t < ms; t += 50) {
    await settle();
    clock.advance(50);
  }
  await settle();
}

test('RUNNING is written once its grant comes, as the controller would write it', async () => {
  const clock = new ManualClock(Date.parse('2026-12-04T10:00:00Z'));
  const { w, calls } = writer(clock, () => Promise.resolve());
  w.running(launchedFor, 'fw-1');
  w.running(task({}), 'fw-1'); // launched for no object: nothing to write
  await run(clock, 500);
  assert.equal(calls.length, 0, 'no grant yet: the policy would refuse it');
  w.granted(['task-1']);
  await w.stop();
  assert.deepEqual(
    calls.map((c) => c.args),
    [
      [
        'team',
        'web',
        {
          state: 'TASK_RUNNING',
          frameworkId: 'fw-1',
          taskId: 'task-1',
          agentId: 'agent-1',
          hostname: 'host-a',
          nodeName: 'node-a',
          startTime: '2026-12-04T10:00:00.000Z',
          conditions: [
            {
              type: 'Running',
              status: 'True',
              reason: 'Running',
              message: '',
              lastTransitionTime: '2026-12-04T10:00:00.000Z',
            },
          ],
        },
      ],
    ],
  );
});

test('a grant that comes before the task is RUNNING is used when it is', async () => {
  const clock = new ManualClock();
  const { w, calls } = writer(clock, () => Promise.resolve());
  w.granted(['task-1']);
  await run(clock, 200);
  w.running(launchedFor, 'fw-1');
  await w.stop();
  assert.equal(calls.length, 1);
});

test('no grant within the give-up time: nothing is written (the controller writes it)', async () => {
  const clock = new ManualClock();
  const { w, calls } = writer(clock, () => Promise.resolve(), 1_000);
  w.running(launchedFor, 'fw-1');
  await run(clock, 1_000);
  w.granted(['task-1']); // too late: dropped, and remembered only as an early grant
  await run(clock, 1_000);
  await w.stop();
  assert.equal(calls.length, 0);
});

// [case, the error of each failed try, the clock times of the tries]: the apiserver
// answers the third try.
const retries: [string, () => Error, number[]][] = [
  // Waits 100, then 200: tries at 0, 100, 300.
  [
    'a failed write is tried again with backoff',
    () => new Error('connection reset'),
    [0, 100, 300],
  ],
  // Refused for load (Retry-After 1 s): waits max(100, 1000), then max(200, 1000).
  [
    'a refusal for load waits as long as the server asked',
    () => new ThrottledError('PATCH tasks/status', 1_000),
    [0, 1000, 2000],
  ],
];
for (const [name, failure, times] of retries) {
  test(`${name} until it lands`, async () => {
    const clock = new ManualClock();
    const { w, calls } = writer(clock, (n) =>
      n < 3 ? Promise.reject(failure()) : Promise.resolve(),
    );
    w.running(launchedFor, 'fw-1');
    w.granted(['task-1']);
    await run(clock, 3_000);
    await w.stop();
    assert.deepEqual(
      calls.map((c) => c.at),
      times,
    );
  });
}

test('a write still failing at the give-up time is left to the controller', async () => {
  const clock = new ManualClock();
  const { w, calls } = writer(clock, () => Promise.reject(new Error('forbidden')), 1_000);
  w.running(launchedFor, 'fw-1');
  w.granted(['task-1']);
  await run(clock, 3_000);
  await w.stop();
  // Waits 100, 200, 400, then the 300 ms left: tries at 0, 100, 300, 700, 1000; no more.
  assert.deepEqual(
    calls.map((c) => c.at),
    [0, 100, 300, 700, 1000],
  );
});
