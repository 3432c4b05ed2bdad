import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleConfig, scheduleNeeds } from '../../../src/frameworks/schedules/spec.js';
import { fromStatus } from '../../../src/frameworks/schedules/status.js';

// [spec, message the Valid condition shows]
const invalid: [Record<string, unknown>, RegExp][] = [
  [{ command: 'true' }, /set a schedule or at least one parent/],
  [{ schedule: 'R/2026-01-01T00:00:00Z/P1D' }, /set exactly one of command or args/],
  [
    { schedule: 'R/2026-01-01T00:00:00Z/P1D', command: 'true', args: ['true'] },
    /set exactly one of command or args/,
  ],
  [{ schedule: '0 2 * * *', timeZone: 'Mars/Olympus', command: 'true' }, /unknown time zone/],
  [{ schedule: 'R/2026-01-01T00:00:00Z/P1D', epsilon: '15m', command: 'true' }, /spec.epsilon/],
  [{ schedule: 'R/yesterday/P1D', command: 'true' }, /is not an ISO 8601 date-time/],
  [{ schedule: 'R/2026-01-01T00:00:00Z/PT0S', command: 'true' }, /must be positive/],
  // Hostile shapes a hand-edited object can have: each is this schedule's problem alone.
  [{ parents: 'extract', command: 'true' }, /spec\.parents: must be a list, not "extract"/],
  [{ parents: [1], command: 'true' }, /spec\.parents\[0\]: must be a string/],
  [{ schedule: 42, command: 'true' }, /spec\.schedule: must be a string/],
  [{ schedule: '', command: 'true' }, /spec\.schedule: is empty/],
  [{ schedule: '0 2 * * *', command: 'true', retries: -1 }, /spec\.retries: must be at least 0/],
  [
    { schedule: '0 2 * * *', command: 'true', historyLimit: 1e9 },
    /spec\.historyLimit: must be at most 1000/,
  ],
  [{ schedule: '0 2 * * *', command: 'true', concurrencyPolicy: 'Sometimes' }, /concurrencyPolicy/],
  [
    { schedule: '0 2 * * *', command: 'true', owner: { webhook: 'ftp://x' } },
    /spec\.owner\.webhook/,
  ],
  [{ schedule: '0 2 * * *', command: 'true', timeZone: 7 }, /spec\.timeZone: must be a string/],
  // Repeating every millisecond, every second, twice a minute: below the one-minute floor.
  [{ schedule: 'R/2026-01-01T00:00:00Z/PT0.001S', command: 'true' }, /shortest interval allowed/],
  [{ schedule: 'R/2026-01-01T00:00:00Z/PT0.999S', command: 'true' }, /shortest interval allowed/],
  [{ schedule: '61 * * * *', command: 'true' }, /neither an ISO 8601 repeating interval/],
  [{ schedule: '* * * * * * * *', command: 'true' }, /neither an ISO 8601 repeating interval/],
  [{ schedule: 'R/2026-01-01T00:00:00Z/P1MT-719H', command: 'true' }, /negative parts/],
];

for (const [spec, message] of invalid) {
  test(`invalid spec ${JSON.stringify(spec)} is a message, not an exception`, () => {
    const r = scheduleConfig('job', spec);
    assert.ok(!r.ok, 'rejected');
    assert.match(r.message, message);
  });
}

test('defaults: epsilon PT1M, 2 retries from PT30S doubling, Allow, 10 kept', () => {
  const r = scheduleConfig('job', { parents: ['p'], command: 'true' });
  assert.ok(r.ok);
  assert.deepEqual(
    {
      epsilonMs: r.config.epsilonMs,
      retries: r.config.retries,
      backoff: r.config.retryBackoffMs,
      factor: r.config.retryBackoffFactor,
      concurrency: r.config.concurrency,
      historyLimit: r.config.historyLimit,
      recurrence: r.config.recurrence,
    },
    {
      epsilonMs: 60_000,
      retries: 2,
      backoff: 30_000,
      factor: 2,
      concurrency: 'Allow',
      historyLimit: 10,
      recurrence: undefined,
    },
  );
  const withMem = scheduleConfig('job', { parents: ['p'], command: 'true', mem: '64Mi' });
  assert.ok(withMem.ok);
  assert.deepEqual(scheduleNeeds(withMem.task), { cpus: 0.1, mem: '64Mi', constraints: [] });
});

test('status from an older or foreign writer: unknown fields and bad entries are skipped', () => {
  const p = fromStatus({
    successCount: 3,
    running: [
      { id: 'x' },
      { id: 'job-1-1', scheduledTime: '1970-01-01T00:00:01Z', startedAt: '1970-01-01T00:00:01Z' },
    ],
    missed: [{ scheduledTime: 'not a time', reason: 'OutsideEpsilon' }],
    nextRun: 'garbage',
    somethingElse: true,
  });
  assert.equal(p.state.successCount, 3);
  assert.deepEqual(
    p.state.running.map((r) => r.id),
    ['job-1-1'],
  );
  // A run without a recorded phase is treated as possibly never launched: reconciliation decides.
  assert.equal(p.phases.get('job-1-1'), 'Launching');
  assert.deepEqual(p.state.missed, []);
  assert.equal(p.state.nextRun, undefined);
});
