// Properties of the ISO 8601 repeating-interval reader behind spec.schedule: any value
// is answered with a recurrence or a rejection (never a throw); generated intervals
// round-trip; occurrences come strictly after the time asked, grow with it, sit at
// least MIN_INTERVAL_MS (a second) apart, and agree with latestAtOrBefore — from any start, however far.
// Fixed seed and a bounded count in `npm test`; MEZZO_FUZZ_RUNS=n runs n cases each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MIN_INTERVAL_MS,
  readRecurrence,
  type Recurrence,
} from '../../../src/frameworks/schedules/recurrence.js';

const RUNS = Number(process.env.MEZZO_FUZZ_RUNS) || 150;
const settings = { seed: 20_260_315, numRuns: RUNS };

/** Instants a Date holds, with a bias toward the years schedules use. */
const instant = fc.oneof(
  fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
);

const ZONES = ['UTC', 'Europe/Rome', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];

/** A period of at least a second, in ISO 8601 (integral parts, as users write them). */
const period = fc
  .record({
    y: fc.nat({ max: 3 }),
    mo: fc.nat({ max: 14 }),
    w: fc.nat({ max: 3 }),
    d: fc.nat({ max: 40 }),
    h: fc.nat({ max: 50 }),
    mi: fc.nat({ max: 200 }),
    s: fc.nat({ max: 7200 }),
  })
  .map(({ y, mo, w, d, h, mi, s }) => {
    const date = `${y ? `${y}Y` : ''}${mo ? `${mo}M` : ''}${w ? `${w}W` : ''}${d ? `${d}D` : ''}`;
    const time = `${h ? `${h}H` : ''}${mi ? `${mi}M` : ''}${s ? `${s}S` : ''}`;
    return `P${date}${time ? `T${time}` : ''}`;
  })
  .filter((p) => p !== 'P');

/** Periods with a fraction in their smallest part, as ISO 8601 allows (`P1.5D`, `PT2.25H`). */
const fractional = fc
  .tuple(
    fc.integer({ min: 1, max: 90 }),
    fc.constantFrom(0.25, 0.5, 0.75),
    fc.constantFrom('D', 'H', 'M'),
  )
  .map(([n, f, unit]) => (unit === 'D' ? `P${n + f}D` : `PT${n + f}${unit}`));

/** `R[n]/<start>/<period>` with a UTC start. */
const interval = fc
  .record({
    count: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    start: fc.integer({ min: Date.parse('1990-01-01'), max: Date.parse('2090-01-01') }),
    period: fc.oneof(period, fractional),
  })
  .map(({ count, start, period: p }) => ({
    text: `R${count ?? ''}/${new Date(start).toISOString()}/${p}`,
    count,
    start,
  }));

/** Texts near the grammar: pieces of valid intervals glued and cut at random. */
const nearMiss = fc
  .tuple(
    fc.constantFrom('R', 'R5', 'R-1', 'R999999999999999999999', 'r', ''),
    fc.constantFrom('/', '//', '', '/ '),
    fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-13-45T99:99:99Z', '+275760-09-13T00:00:00Z', 'yesterday', ''),
      fc.string({ maxLength: 12 }),
    ),
    fc.constantFrom('/', ''),
    fc.oneof(period, fc.constantFrom('PT0S', 'PT-1H', 'P1MT-719H', 'P', 'PT0.001S', 'P1e9Y')),
  )
  .map((parts) => parts.join(''));

function recurrenceOf(text: string, zone = 'UTC'): Recurrence {
  const r = readRecurrence(text, zone);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.recurrence;
}

test('any value is a recurrence or a rejection message, never a throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), nearMiss),
      fc.oneof(fc.constantFrom(...ZONES), fc.anything()),
      (text, zone) => {
        const r = readRecurrence(text, zone);
        if (!r.ok) assert.equal(typeof r.message, 'string');
      },
    ),
    settings,
  );
});

test('generated intervals round-trip: accepted, same text, first occurrence at the start', () => {
  fc.assert(
    fc.property(interval, ({ text, count, start }) => {
      const r = recurrenceOf(text);
      assert.equal(r.text, text);
      // Nothing before the start; the start itself unless the count is zero.
      assert.equal(r.latestAtOrBefore(start - 1), undefined);
      assert.equal(r.nextAfter(start - 1), count === 0 ? undefined : start);
    }),
    settings,
  );
});

test('next runs are after the time asked, monotonic, at least a second apart, consistent', () => {
  fc.assert(
    fc.property(interval, fc.constantFrom(...ZONES), instant, instant, (iv, zone, a, b) => {
      const r = recurrenceOf(iv.text, zone);
      const [t1, t2] = a <= b ? [a, b] : [b, a];
      const n1 = r.nextAfter(t1);
      const n2 = r.nextAfter(t2);
      if (n1 !== undefined) assert.ok(n1 > t1, 'never in the past');
      if (n2 !== undefined) {
        assert.ok(n2 > t2);
        assert.ok(n1 !== undefined && n1 <= n2, 'a later time never has an earlier next run');
        // Two in a row are at least the minimum interval apart.
        const after = r.nextAfter(n2);
        if (after !== undefined) assert.ok(after - n2 >= MIN_INTERVAL_MS);
      }
      // No occurrence lies between the latest at or before t and the next after it.
      const last = r.latestAtOrBefore(t1);
      if (last !== undefined) {
        assert.ok(last <= t1);
        assert.equal(r.nextAfter(last), n1);
      }
      if (n1 !== undefined) assert.equal(r.latestAtOrBefore(n1), n1);
    }),
    settings,
  );
});

test('periods shorter than a second are refused, whatever their spelling', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MIN_INTERVAL_MS - 1 }), (ms) => {
      const r = readRecurrence(`R/2026-01-01T00:00:00Z/PT${ms / 1000}S`);
      assert.ok(!r.ok);
      assert.match(r.message, /shortest interval allowed/);
    }),
    settings,
  );
});
