// Reconciliation rounds on a manual clock: after a subscription, explicit for the known
// tasks and then implicit; explicit again at 1, 2, 4 … s for known tasks still
// unanswered; a fresh round every interval; nothing after stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { Reconciliation, type TaskRef } from '../../../src/sdk/reconciliation.js';

// Lets the round's send() promise settle, so that its next timer is set.
const settle = () => new Promise<void>((r) => setImmediate(r));

function harness(intervalMs: number | undefined) {
  const clock = new ManualClock(0);
  const sent: string[] = [];
  let known: TaskRef[] = [{ task_id: 'a' }, { task_id: 'b' }];
  const r = new Reconciliation({
    send: (tasks) => {
      sent.push(tasks.length === 0 ? '*' : tasks.map((t) => t.task_id).join(','));
      return Promise.resolve();
    },
    knownTasks: () => known,
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    onError: (m) => assert.fail(m),
    clock,
  });
  return {
    r,
    clock,
    sent,
    setKnown: (k: TaskRef[]) => {
      known = k;
    },
  };
}

test('explicit then implicit; retries only the unanswered; stops when all answered', async () => {
  const { r, clock, sent } = harness(undefined);
  r.start(true);
  await settle();
  assert.deepEqual(sent, ['a,b', '*']);
  r.answered('a');
  clock.advance(1_000); // round 1 at 1 s: b is still unanswered
  await settle();
  assert.deepEqual(sent, ['a,b', '*', 'b']);
  r.answered('b');
  clock.advance(2_000); // round 2 at 3 s: nothing pending, no call, no more rounds
  await settle();
  clock.advance(3_600_000);
  await settle();
  assert.deepEqual(sent, ['a,b', '*', 'b']);
  r.stop();
});

test('every interval a fresh round asks about every known task again', async () => {
  const { r, clock, sent, setKnown } = harness(60_000);
  r.start(true);
  await settle();
  r.answered('a');
  r.answered('b');
  clock.advance(1_000); // round 1: all answered, the retries end
  await settle();
  assert.deepEqual(sent, ['a,b', '*']);
  setKnown([{ task_id: 'a' }, { task_id: 'b' }, { task_id: 'c' }]);
  clock.advance(59_000); // 60 s: the periodic round, answers forgotten
  await settle();
  assert.deepEqual(sent, ['a,b', '*', 'a,b,c', '*']);
  r.stop();
  clock.advance(600_000);
  await settle();
  assert.deepEqual(sent.length, 4, 'nothing after stop');
});

test('without reconcileOnSubscribe only the periodic rounds run', async () => {
  const { r, clock, sent } = harness(10_000);
  r.start(false);
  await settle();
  assert.deepEqual(sent, []);
  clock.advance(10_000);
  await settle();
  assert.deepEqual(sent, ['a,b', '*']);
  r.stop();
});
