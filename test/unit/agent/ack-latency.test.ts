import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckLatency } from '../../../src/agent-sidecar/ack-latency.js';
import { defaultConfig } from '../../../src/agent-sidecar/config.js';

test('resend waits: the minimum until measured, then 2 × (SRTT + 4·RTTVAR), doubling, capped', () => {
  // [samples (ms), attempt, expected wait (ms)], with min 10 s, max 600 s, margin 2.
  const cases: [number[], number, number][] = [
    // No sample: the minimum, doubling per resend (Mesos: 10, 20, 40 s …).
    [[], 0, 10_000],
    [[], 1, 20_000],
    [[], 2, 40_000],
    [[], 10, 600_000], // 10 s × 2^10 = 10,240 s, capped at 600 s
    // Fast acknowledgements: 2 × (50 + 4 × 25) = 300 ms, so the minimum wins.
    [[50], 0, 10_000],
    // 8 s: SRTT 8 s, RTTVAR 4 s: 2 × (8 + 16) = 48 s; the second resend waits 96 s.
    [[8_000], 0, 48_000],
    [[8_000], 1, 96_000],
    // 8 s then 8 s: RTTVAR 0.75 × 4 + 0.25 × 0 = 3 s: 2 × (8 + 12) = 40 s.
    [[8_000, 8_000], 0, 40_000],
    // A 1 h sample counts as the 600 s maximum: 2 × (600 + 4 × 300) s, capped at 600 s.
    [[3_600_000], 0, 600_000],
  ];
  for (const [samples, attempt, want] of cases) {
    const l = new AckLatency(10_000, 600_000);
    for (const x of samples) l.observe(x);
    assert.equal(l.resendAfterMs(attempt), want, `${samples.join(',')} attempt ${attempt}`);
  }
  assert.throws(() => new AckLatency(0, 10), /0 < min <= max/);
  assert.throws(() => new AckLatency(20, 10), /0 < min <= max/);
});

test("an agent's default retry bounds are Mesos': 10 s doubling to 10 min", () => {
  const c = defaultConfig({ workDir: '/tmp/x', controllers: [] });
  assert.deepEqual([c.updateRetryMinSeconds, c.updateRetryMaxSeconds], [10, 600]);
});
