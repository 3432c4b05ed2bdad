import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SystemClock } from '../../../src/shared/clock.js';

test('ManualClock fires timers in due order, each at its due time', () => {
  const clock = new ManualClock(1_000);
  const fired: [string, number][] = [];
  clock.setTimer(300, () => fired.push(['c', clock.now()]));
  clock.setTimer(100, () => fired.push(['a', clock.now()]));
  clock.setTimer(100, () => fired.push(['b', clock.now()])); // same due time: set order
  clock.advance(250);
  assert.deepEqual(fired, [
    ['a', 1_100],
    ['b', 1_100],
  ]);
  assert.equal(clock.now(), 1_250);
  clock.advance(50);
  assert.deepEqual(fired.at(-1), ['c', 1_300]);
});

test('ManualClock runs timers set by timers within the same advance', () => {
  const clock = new ManualClock();
  const fired: number[] = [];
  clock.setTimer(10, () => {
    fired.push(clock.now());
    clock.setTimer(10, () => fired.push(clock.now()));
  });
  clock.advance(25);
  assert.deepEqual(fired, [10, 20]);
});

test('ManualClock cancelled timers never fire and time cannot go back', () => {
  const clock = new ManualClock();
  let ran = false;
  const t = clock.setTimer(5, () => (ran = true));
  assert.equal(clock.pendingTimers(), 1);
  t.cancel();
  clock.advance(10);
  assert.equal(ran, false);
  assert.equal(clock.pendingTimers(), 0);
  assert.throws(() => clock.advance(-1), RangeError);
});

test('SystemClock waits out delays longer than setTimeout can hold', async () => {
  // Node runs a setTimeout of more than 2^31 - 1 ms after 1 ms: a failover timeout of a
  // month (2.6e9 ms) used to remove a disconnected framework at once.
  const clock = new SystemClock();
  let fired = 0;
  const long = clock.setTimer(2.6e9, () => fired++);
  const nan = clock.setTimer(Number.NaN, () => fired++);
  await new Promise((r) => setTimeout(r, 50));
  long.cancel();
  nan.cancel();
  assert.equal(fired, 1, 'only the NaN delay (read as 0) fired');
});
