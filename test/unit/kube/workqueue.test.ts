import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { WorkQueue, runWorkers } from '../../../src/kube/workqueue.js';

test('a key added many times while waiting is handed out once', async () => {
  const q = new WorkQueue(new ManualClock());
  for (let i = 0; i < 5; i++) q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'ns/a');
  assert.equal(await q.get(), 'ns/b');
  assert.equal(q.length, 0);
});

test('a key being processed is not handed out twice, and is re-queued if dirtied', async () => {
  const q = new WorkQueue(new ManualClock());
  q.add('k');
  const key = await q.get();
  assert.equal(key, 'k');
  q.add('k'); // changed while a worker holds it
  assert.equal(q.length, 0, 'not handed to a second worker');
  q.done('k');
  assert.equal(q.length, 1, 'processed again after done');
  assert.equal(await q.get(), 'k');
  q.done('k');
  assert.equal(q.length, 0);
});

// Keys are taken by moving a head index, and the taken part is dropped once it is at
// least 1,024 keys and half the array: order, length and dedupe must hold across drops.
const drainCases = [
  { name: 'all added, then all taken', adds: 5000, takeEvery: 0 },
  { name: 'two taken per three added', adds: 5000, takeEvery: 3 },
];
for (const c of drainCases) {
  test(`keys come out in the order added, across compactions: ${c.name}`, async () => {
    const q = new WorkQueue(new ManualClock());
    const out: string[] = [];
    const take = async () => {
      const k = await q.get();
      if (k !== undefined) {
        out.push(k);
        q.done(k);
      }
    };
    for (let i = 0; i < c.adds; i++) {
      q.add(`k${String(i)}`);
      q.add(`k${String(i)}`); // a second add of a waiting key is dropped
      if (c.takeEvery > 0 && i % c.takeEvery !== 0) await take();
    }
    // Taken so far + waiting = added, at every point of the drain.
    while (q.length > 0) {
      assert.equal(out.length + q.length, c.adds);
      await take();
    }
    assert.deepEqual(
      out,
      Array.from({ length: c.adds }, (_, i) => `k${String(i)}`),
    );
    assert.equal(q.stats().depth, 0);
    // A key taken and done can be queued again after the drops.
    q.add('k0');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'k0');
  });
}

test('a waiting get is woken by add', async () => {
  const q = new WorkQueue(new ManualClock());
  const pending = q.get();
  q.add('x');
  assert.equal(await pending, 'x');
});

// Per-key backoff: base 5 ms, doubling: 5, 10, 20, 40 ms.
const backoff: [number, number][] = [
  [1, 5],
  [2, 10],
  [3, 20],
  [4, 40],
];
test('failed keys come back after exponential per-key backoff', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { baseDelayMs: 5, qps: 1000, burst: 1000 });
  for (const [attempt, delay] of backoff) {
    q.addRateLimited('k');
    assert.equal(q.retries('k'), attempt);
    clock.advance(delay - 1);
    assert.equal(q.length, 0, `attempt ${attempt}: not before ${delay} ms`);
    clock.advance(1);
    assert.equal(q.length, 1, `attempt ${attempt}: back at ${delay} ms`);
    // Take it and finish it before the next round.
    const k = await q.get();
    assert.equal(k, 'k');
    q.done(k);
  }
  q.forget('k');
  assert.equal(q.retries('k'), 0);
});

test('the token bucket bounds the overall retry rate', () => {
  const clock = new ManualClock();
  // burst 2, 10 per second: the third retry waits 100 ms, the fourth 200 ms.
  const q = new WorkQueue(clock, { baseDelayMs: 1, qps: 10, burst: 2 });
  for (const k of ['a', 'b', 'c', 'd']) q.addRateLimited(k);
  clock.advance(1);
  assert.equal(q.length, 2, 'a and b after their 1 ms backoff');
  clock.advance(99);
  assert.equal(q.length, 3, 'c at 100 ms');
  clock.advance(100);
  assert.equal(q.length, 4, 'd at 200 ms');
});

test('addAfter keeps the earliest pending time; add cancels a pending delay', () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock);
  q.addAfter('k', 100);
  q.addAfter('k', 500);
  clock.advance(100);
  assert.equal(q.length, 1);
  q.addAfter('j', 100);
  q.add('j');
  assert.equal(q.length, 2);
  clock.advance(200);
  assert.equal(q.length, 2, 'the cancelled delay does not add j again');
});

test('runWorkers retries a failing reconcile and stops on shutdown', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(clock, { baseDelayMs: 10 });
  let calls = 0;
  const errors: string[] = [];
  const done = runWorkers(
    q,
    2,
    (key) => {
      calls++;
      if (calls === 1) return Promise.reject(new Error(`boom ${key}`));
      return Promise.resolve(undefined);
    },
    (key, err) => errors.push(`${key}: ${(err as Error).message}`),
  );
  q.add('k');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors, ['k: boom k']);
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
  assert.equal(q.retries('k'), 0, 'success forgets the failures');
  q.shutDown();
  await done;
});
