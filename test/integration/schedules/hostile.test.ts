// One bad Schedule never hurts another. Before, a Schedule whose `parents` was a string
// threw out of planning (`parents.find is not a function`) on every pass, so no Schedule
// ran at all; one repeating every millisecond made each pass walk 10,000 missed
// occurrences. Now each spec is read on its own: a bad one gets Valid=False with the
// field, its children say their parent cannot run, and the good one runs on time.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { eventually, schedule, startFramework, startStack, statusOf } from './support.js';

const MIN = 60_000;
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

// [name, spec, condition reason, message]
const bad: [string, Record<string, unknown>, string, RegExp][] = [
  [
    'parents-text',
    { parents: 'extract', command: 'true' },
    'InvalidSpec',
    /spec\.parents: must be a list/,
  ],
  [
    'every-ms',
    { schedule: 'R/2026-03-15T00:00:00Z/PT0.001S', command: 'true' },
    'InvalidSpec',
    /shortest interval allowed, a second/,
  ],
  [
    'bad-cron',
    { schedule: '61 * * * *', command: 'true' },
    'InvalidSpec',
    /neither an ISO 8601 repeating interval/,
  ],
  ['no-command', { schedule: 'R/2026-03-15T00:00:00Z/PT1H' }, 'InvalidSpec', /command or args/],
  [
    'child-of-bad',
    { parents: ['every-ms'], command: 'true' },
    'InvalidDependencies',
    /parent "every-ms" cannot run \(spec\.schedule: period "PT0\.001S"/,
  ],
];

test('bad Schedules get a Valid=False condition; the good one runs on time', async () => {
  const stack = await startStack({ validateObjects: false }); // objects the CRD would refuse
  cleanup.push(() => stack.stop());
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1 - MIN);
  const out = join(stack.dir, 'good.log');
  for (const [name, spec] of bad) await stack.store.create(schedule(name, spec));
  await stack.store.create(
    schedule('good', {
      schedule: 'R/2026-03-15T00:00:00Z/PT1H',
      command: `echo "$MEZZO_SCHEDULED_TIME" >> ${out}`,
    }),
  );
  const fw = await startFramework(stack, clock);
  cleanup.push(() => fw.stop());
  await eventually(
    async () => (await statusOf(stack, 'good')).nextRun === '2026-03-15T01:00:00.000Z',
    5_000,
    'good: nextRun 01:00',
  );
  clock.advance(MIN);
  await eventually(
    async () => (await statusOf(stack, 'good')).history?.[0]?.result === 'Succeeded',
    15_000,
    'the good run to succeed',
  );
  assert.equal(readFileSync(out, 'utf8'), '2026-03-15T01:00:00.000Z\n');
  for (const [name, , reason, message] of bad) {
    const valid = (await statusOf(stack, name)).conditions?.find((c) => c.type === 'Valid');
    assert.ok(valid, name);
    assert.equal(valid.status, 'False', name);
    assert.equal(valid.reason, reason, name);
    assert.match(valid.message, message, name);
    assert.deepEqual((await statusOf(stack, name)).history ?? [], [], `${name} never ran`);
  }
});

test('periodic reconciliation records a run whose task the controller lost', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const T = Date.parse('2026-03-15T12:00:00Z');
  const clock = new ManualClock(T);
  // Status as a previous leader left it: a run accepted (Launched) whose task the
  // controller no longer has. The calendar is daily, so nothing else happens meanwhile.
  const runId = `lost-${T - 30 * MIN}-1`;
  await stack.store.create({
    ...schedule('lost', { schedule: 'R/2026-03-15T00:00:00Z/P1D', command: 'true' }),
    status: {
      nextRun: '2026-03-16T00:00:00.000Z',
      observedSchedule: 'R/2026-03-15T00:00:00Z/P1D UTC',
      running: [
        {
          id: runId,
          scheduledTime: new Date(T - 30 * MIN).toISOString(),
          startedAt: new Date(T - 30 * MIN).toISOString(),
          attempt: 1,
          trigger: 'manual',
          phase: 'Launched',
        },
      ],
    },
  });
  // Lost after 3 unknown answers; the retry for unknown runs waits an hour, so within
  // the 30 minutes below only the minute-by-minute periodic rounds ask again.
  const fw = await startFramework(stack, clock, [], undefined, {
    reconcileIntervalMs: MIN,
    reconcileRetryMs: 60 * MIN,
    lostAfter: 3,
  });
  cleanup.push(() => fw.stop());
  let ended = false;
  for (let minute = 0; minute < 30 && !ended; minute++) {
    clock.advance(MIN);
    await fw.settled();
    // The controller's answer arrives on the stream; let it be handled.
    await new Promise((r) => setTimeout(r, 100));
    await fw.settled();
    ended = (await statusOf(stack, 'lost')).history?.[0]?.id === runId;
  }
  const s = await statusOf(stack, 'lost');
  const last = s.history?.[0];
  assert.ok(last, 'the run was recorded as ended');
  assert.equal(last.result, 'Failed');
  assert.match(last.message ?? '', /task lost: unknown to the controller/);
  assert.deepEqual(s.running, []);
});
