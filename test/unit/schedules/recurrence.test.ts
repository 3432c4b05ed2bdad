import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecurrence, durationMs } from '../../../src/frameworks/schedules/recurrence.js';
import { ValidationError } from '../../../src/shared/errors.js';

const iso = (t: number | undefined) => (t === undefined ? 'none' : new Date(t).toISOString());

function occurrences(text: string, zone: string, from: string, n: number): string[] {
  const r = parseRecurrence(text, zone);
  const out: string[] = [];
  let t: number | undefined = Date.parse(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = r.nextAfter(t);
    out.push(iso(t));
  }
  return out;
}

// [schedule, zone, search from, expected next occurrences]
const cases: [string, string, string, string[]][] = [
  // Every 24 h from 11:44:03Z; the first after 2026-03-16T00:00 is the 16th's.
  [
    'R5/2026-03-15T11:44:03Z/PT24H',
    'UTC',
    '2026-03-16T00:00:00Z',
    ['2026-03-16T11:44:03.000Z', '2026-03-17T11:44:03.000Z'],
  ],
  // R3: three occurrences (k = 0, 1, 2), then none.
  [
    'R3/2026-01-01T00:00:00Z/PT1H',
    'UTC',
    '2025-12-31T00:00:00Z',
    ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', 'none'],
  ],
  // P1D at 01:30 New York across the DST start on 2026-03-08: 06:30Z (EST) then 05:30Z (EDT).
  [
    'R/2026-03-07T01:30/P1D',
    'America/New_York',
    '2026-03-07T00:00:00Z',
    ['2026-03-07T06:30:00.000Z', '2026-03-08T06:30:00.000Z', '2026-03-09T05:30:00.000Z'],
  ],
  // P1M from Jan 31 is computed from the start each time: Feb 28, then Mar 31 (not Mar 28).
  [
    'R/2026-01-31T00:00:00Z/P1M',
    'UTC',
    '2026-02-01T00:00:00Z',
    ['2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z'],
  ],
  // An explicit offset in the start wins over the zone.
  [
    'R/2026-06-01T09:00:00+02:00/PT12H',
    'UTC',
    '2026-06-01T00:00:00Z',
    ['2026-06-01T07:00:00.000Z'],
  ],
  // Cron at 03:00 Rome: 02:00Z in winter.
  [
    '0 3 * * *',
    'Europe/Rome',
    '2026-01-10T12:00:00Z',
    ['2026-01-11T02:00:00.000Z', '2026-01-12T02:00:00.000Z'],
  ],
  // A search time exactly on an occurrence returns the next one (strictly after).
  ['*/15 * * * *', 'UTC', '2026-01-01T00:15:00Z', ['2026-01-01T00:30:00.000Z']],
];

for (const [text, zone, from, want] of cases) {
  test(`recurrence ${text} (${zone}) after ${from}`, () => {
    assert.deepEqual(occurrences(text, zone, from, want.length), want);
  });
}

// [input, zone, message fragment]
const bad: [string, string, RegExp][] = [
  ['R5/2026-03-15T11:44:03Z', 'UTC', /must be R\[n\]\/<start>\/<period>/],
  ['RX/2026-03-15T11:44:03Z/PT1H', 'UTC', /"RX" must be R or R<count>/],
  ['R/yesterday/PT1H', 'UTC', /start "yesterday" is not an ISO 8601 date-time/],
  ['R/2026-03-15T11:44:03Z/24h', 'UTC', /"24h" is not an ISO 8601 duration/],
  ['61 * * * *', 'UTC', /neither an ISO 8601 repeating interval .* nor a cron expression/],
  ['0 3 * * *', 'Mars/Olympus', /unknown time zone "Mars\/Olympus"/],
];
for (const [text, zone, msg] of bad) {
  test(`rejects ${text} in ${zone}`, () => {
    assert.throws(
      () => parseRecurrence(text, zone),
      (e: unknown) => e instanceof ValidationError && msg.test(e.message),
    );
  });
}

test('durations: PT15M is 900 000 ms; zero is refused', () => {
  assert.equal(durationMs('PT15M', 'spec.epsilon'), 900_000);
  assert.throws(() => durationMs('PT0S', 'spec.epsilon'), /must be positive/);
});
