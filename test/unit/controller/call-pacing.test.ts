// The pace of a principal's scheduler calls: a token bucket whose callers, past the burst,
// wait their turn in a queue as deep as the burst and are refused past it; a
// reconciliation costs one token more per ten tasks. Rows give the bucket's arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, type RateOutcome } from '../../../src/auth/rate-limit.js';
import { CallPacer, reconcileCost } from '../../../src/controller/call-pacing.js';
import { controllerMetrics } from '../../../src/controller/metrics.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import type { Principal } from '../../../src/auth/types.js';

// Every row: 10 tokens a second, a burst of 4, a queue of 4; `at` in ms.
const ROWS: {
  name: string;
  takes: [at: number, key: string, cost: number, want: RateOutcome][];
}[] = [
  {
    name: 'the burst at once, then waits at the rate, then refusal',
    takes: [
      [0, 'a', 1, { ok: true, waitMs: 0 }], // 4 → 3
      [0, 'a', 3, { ok: true, waitMs: 0 }], // 3 → 0
      [0, 'a', 1, { ok: true, waitMs: 100 }], // 0 → -1: 1 / 10 s
      [0, 'a', 2, { ok: true, waitMs: 300 }], // -1 → -3: 3 / 10 s
      [0, 'a', 2, { ok: false, retryAfterS: 1 }], // -3 - 2 = -5 < -4: refused, owes 1 / 10 s
      [0, 'a', 1, { ok: true, waitMs: 400 }], // -3 → -4, the whole queue
    ],
  },
  {
    name: 'time pays the debt back',
    takes: [
      [0, 'a', 4, { ok: true, waitMs: 0 }], // 4 → 0
      [0, 'a', 4, { ok: true, waitMs: 400 }], // 0 → -4
      [500, 'a', 1, { ok: true, waitMs: 0 }], // -4 + 0.5 s × 10 = 1 → 0
      [500, 'a', 1, { ok: true, waitMs: 100 }], // 0 → -1
    ],
  },
  {
    name: 'a cost above the burst counts as the burst',
    takes: [
      [0, 'a', 1_000, { ok: true, waitMs: 0 }], // min(1000, 4) = 4: 4 → 0
      [0, 'a', 1_000, { ok: true, waitMs: 400 }], // 0 → -4
      [0, 'a', 1_000, { ok: false, retryAfterS: 1 }], // -8 < -4: owes 4 / 10 s
    ],
  },
  {
    name: 'each caller has its own bucket',
    takes: [
      [0, 'a', 4, { ok: true, waitMs: 0 }],
      [0, 'a', 4, { ok: true, waitMs: 400 }],
      [0, 'a', 1, { ok: false, retryAfterS: 1 }],
      [0, 'b', 1, { ok: true, waitMs: 0 }], // b's bucket is full: 4 → 3
    ],
  },
];

for (const row of ROWS) {
  test(`rate limiter with a queue: ${row.name}`, () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 4, queue: 4 }, () => now);
    for (const [i, [at, key, cost, want]] of row.takes.entries()) {
      now = at;
      assert.deepEqual(limiter.take(key, cost), want, `take ${String(i)}`);
    }
  });
}

test('a refusal is a whole second or more, at a slow rate several', () => {
  const limiter = new RateLimiter({ ratePerSecond: 0.5, burst: 1, queue: 1 }, () => 0);
  limiter.take('a'); // 1 → 0
  limiter.take('a'); // 0 → -1, waits 2 s
  // -1 - 1 = -2, 1 short of -1: 1 / 0.5 = 2 s
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterS: 2 });
});

test('a reconciliation costs one token, and one more per ten tasks', () => {
  for (const [tasks, cost] of [
    [0, 1], // 1 + 0
    [1, 2], // 1 + ceil(1 / 10)
    [10, 2], // 1 + 1
    [11, 3], // 1 + ceil(1.1)
    [10_000, 1_001], // 1 + 1,000
  ] as const)
    assert.equal(reconcileCost(tasks), cost, `${String(tasks)} tasks`);
});

test('the pacer delays a call past the burst on the clock, refuses past the queue, counts both', async () => {
  const clock = new ManualClock();
  const metrics = new MetricsRegistry();
  const m = controllerMetrics(metrics, { tasks: () => [], frameworks: () => [], agents: () => [] });
  const pacer = new CallPacer({ ratePerSecond: 10, burst: 2 }, clock, m, silentLogger());
  const who: Principal = { username: 'mallory', uid: '1', groups: [], extra: {} };
  assert.equal(await pacer.admit(who, 2), undefined); // 2 → 0, at once
  let second: unknown = 'waiting';
  const admitted = pacer.admit(who).then((r) => (second = r)); // 0 → -1: 100 ms
  const refused = await pacer.admit(who, 2); // -1 - 2 = -3 < -2
  assert.equal(refused?.retryAfterS, 1);
  assert.match(refused.message, /user "mallory" made more scheduler calls than allowed/);
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'waiting', 'not before its turn');
  clock.advance(100);
  await admitted;
  assert.equal(second, undefined);
  const counted = (await m.frameworkCallsPaced.get()).values.map((v) => [
    v.labels.outcome,
    v.value,
  ]);
  assert.deepEqual(counted.sort(), [
    ['delayed', 1],
    ['refused', 1],
  ]);
  // Unpaced: every call at once, nothing counted.
  const free = new CallPacer(null, clock, m, silentLogger());
  for (let i = 0; i < 100; i++) assert.equal(await free.admit(who, 1_000), undefined);
});
