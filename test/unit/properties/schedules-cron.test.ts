// Properties of the cron reader behind spec.schedule: any text is a recurrence or a
// rejection (never a throw); generated five-field expressions are accepted and their
// occurrences come strictly after the time asked, grow with it, sit at least MIN_INTERVAL_MS
// apart and agree with latestAtOrBefore; six fields with several seconds are read, their
// runs at least MIN_INTERVAL_MS (a second) apart. Fixed seed and a bounded count in `npm test`;
// MEZZO_FUZZ_RUNS=n runs n cases each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_INTERVAL_MS, readRecurrence } from '../../../src/frameworks/schedules/recurrence.js';

const RUNS = Number(process.env.MEZZO_FUZZ_RUNS) || 100;
const settings = { seed: 20_260_316, numRuns: RUNS };

// Zones with hour-long DST changes and none. (In zones that move by 30 minutes, such as
// Australia/Lord_Howe, cron-parser can fail to find a 02:xx occurrence near the change;
// the reader then looks again from later, which these properties do not hold for.)
const ZONES = ['UTC', 'Europe/Rome', 'America/New_York', 'Asia/Kolkata'];

/** One cron field over [lo, hi]: *, a value, a range, a step, or a list of values. */
function field(lo: number, hi: number): fc.Arbitrary<string> {
  const v = fc.integer({ min: lo, max: hi });
  return fc.oneof(
    fc.constant('*'),
    v.map(String),
    fc.tuple(v, v).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: Math.max(1, hi - lo) }).map((n) => `*/${n}`),
    fc.uniqueArray(v, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(',')),
  );
}

// Days of month up to 28, so that every generated expression has occurrences each year.
const cron = fc
  .tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6))
  .map((f) => f.join(' '));

const instant = fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') });

/** Cron-looking text: fields of digits, stars and punctuation, or anything at all. */
const cronish = fc.oneof(
  fc
    .array(fc.stringMatching(/^[0-9*,/\-LW#?A-Z]{0,6}$/), { minLength: 0, maxLength: 8 })
    .map((xs) => xs.join(' ')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '@yearly', '@reboot', '0 0 30 2 *', '0 0 * * 5#5', '* * * * * * *'),
);

test('any text in any zone is a recurrence or a rejection message, never a throw', () => {
  fc.assert(
    fc.property(cronish, fc.oneof(fc.constantFrom(...ZONES), fc.string()), (text, zone) => {
      const r = readRecurrence(text, zone);
      if (!r.ok) assert.equal(typeof r.message, 'string');
      else {
        // Whatever was accepted answers without throwing, from any time.
        r.recurrence.nextAfter(Date.parse('2026-01-01'));
        r.recurrence.latestAtOrBefore(Date.parse('2026-01-01'));
      }
    }),
    settings,
  );
});

test('generated expressions: accepted; next runs after the time, monotonic, at least MIN_INTERVAL_MS apart', () => {
  fc.assert(
    fc.property(cron, fc.constantFrom(...ZONES), instant, instant, (text, zone, a, b) => {
      const r = readRecurrence(text, zone);
      assert.ok(r.ok, r.ok ? '' : r.message);
      const rec = r.recurrence;
      const [t1, t2] = a <= b ? [a, b] : [b, a];
      const n1 = rec.nextAfter(t1);
      const n2 = rec.nextAfter(t2);
      assert.ok(n1 !== undefined && n2 !== undefined, 'day ≤ 28: always another occurrence');
      assert.ok(n1 > t1 && n2 > t2, 'never in the past');
      assert.ok(n1 <= n2, 'a later time never has an earlier next run');
      const after = rec.nextAfter(n1);
      assert.ok(after !== undefined && after - n1 >= MIN_INTERVAL_MS, 'MIN_INTERVAL_MS apart');
      const last = rec.latestAtOrBefore(t1);
      assert.ok(last !== undefined && last <= t1);
      assert.equal(rec.nextAfter(last), n1, 'nothing between the latest and the next');
      assert.equal(rec.latestAtOrBefore(n1), n1);
    }),
    settings,
  );
});

test('six fields with several seconds a minute: runs at least a second apart', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 2, maxLength: 5 }),
      cron,
      instant,
      (seconds, rest, t) => {
        const r = readRecurrence(`${seconds.join(',')} ${rest}`);
        assert.ok(r.ok, r.ok ? '' : r.message);
        const n1 = r.recurrence.nextAfter(t);
        const n2 = n1 === undefined ? undefined : r.recurrence.nextAfter(n1);
        assert.ok(n1 !== undefined && n2 !== undefined && n2 - n1 >= MIN_INTERVAL_MS);
      },
    ),
    settings,
  );
});
