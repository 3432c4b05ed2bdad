import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchedClock } from '../../../src/sim/batched-clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('timers fire in due order, cancelled ones never, and one slot holds many', async () => {
  const clock = new BatchedClock(20);
  const fired: string[] = [];
  // Ten timers due together share a slot; each fires once.
  for (let i = 0; i < 10; i++) clock.setTimer(40, () => fired.push(`same${String(i)}`));
  clock.setTimer(0, () => fired.push('first'));
  const cancelled = clock.setTimer(40, () => fired.push('cancelled'));
  clock.setTimer(120, () => fired.push('last'));
  assert.equal(clock.pending, 13);
  cancelled.cancel();
  cancelled.cancel(); // a second cancel is harmless
  assert.equal(clock.pending, 12);
  const start = Date.now();
  while (fired.length < 12 && Date.now() - start < 5_000) await sleep(10);
  assert.deepEqual(fired, [
    'first',
    ...Array.from({ length: 10 }, (_, i) => `same${String(i)}`),
    'last',
  ]);
  assert.equal(clock.pending, 0);
});

test('a timer that throws does not keep the others of its slot from firing', async () => {
  const uncaught: unknown[] = [];
  const clock = new BatchedClock(10, (err) => uncaught.push(err));
  const fired: number[] = [];
  clock.setTimer(5, () => fired.push(1));
  clock.setTimer(5, () => {
    throw new Error('boom');
  });
  clock.setTimer(5, () => fired.push(3));
  const start = Date.now();
  while (uncaught.length === 0 && Date.now() - start < 5_000) await sleep(10);
  assert.deepEqual(fired, [1, 3]);
  assert.match(String(uncaught[0]), /boom/);
});

test('clear cancels everything and the resolution must be at least 1 ms', async () => {
  const clock = new BatchedClock(10);
  let fired = 0;
  clock.setTimer(10, () => fired++);
  clock.clear();
  await sleep(50);
  assert.equal(fired, 0);
  assert.throws(() => new BatchedClock(0), RangeError);
});
