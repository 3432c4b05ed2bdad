// Real runs after simulated outages of the schedules framework: time comes from a
// ManualClock, an outage is "stop the framework, advance the clock, start a new one".
// Epsilon PT15M: a run 10 minutes late still starts, one 20 minutes late is skipped and
// recorded in status.
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

test('epsilon PT15M after a 10-minute and a 20-minute outage', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const T1 = Date.parse('2026-03-15T01:00:00Z');
  const clock = new ManualClock(T1 - MIN);
  const out = join(stack.dir, 'hourly.log');
  await stack.store.create(
    schedule('hourly', {
      schedule: 'R/2026-03-15T00:00:00Z/PT1H',
      epsilon: 'PT15M',
      command: `echo "$MEZZO_SCHEDULED_TIME" >> ${out}`,
    }),
  );
  let fw = await startFramework(stack, clock);
  cleanup.push(() => fw.stop());
  await eventually(
    async () => (await statusOf(stack, 'hourly')).nextRun === '2026-03-15T01:00:00.000Z',
    5_000,
    'nextRun 01:00',
  );
  const id = fw.id;
  fw.stop();

  // Down from 00:59 to 01:10. Due 01:00, now 01:10, epsilon 15m: 10 < 15 → run late.
  clock.advance(11 * MIN);
  fw = await startFramework(stack, clock, [], id);
  await eventually(
    async () => (await statusOf(stack, 'hourly')).history?.[0]?.result === 'Succeeded',
    15_000,
    'the late run to succeed',
  );
  let st = await statusOf(stack, 'hourly');
  assert.equal(st.history?.length, 1);
  const late = st.history[0];
  assert.equal(late?.scheduledTime, '2026-03-15T01:00:00.000Z');
  assert.equal(late.startedAt, '2026-03-15T01:10:00.000Z');
  assert.equal(st.nextRun, '2026-03-15T02:00:00.000Z');
  assert.deepEqual(st.missed ?? [], []);
  assert.equal(readFileSync(out, 'utf8'), '2026-03-15T01:00:00.000Z\n');
  fw.stop();

  // Down from 01:10 to 02:20. Due 02:00, now 02:20, epsilon 15m: 20 > 15 → skipped.
  clock.advance(70 * MIN);
  fw = await startFramework(stack, clock, [], id);
  await fw.settled();
  st = await statusOf(stack, 'hourly');
  assert.deepEqual(
    st.missed?.map((m) => `${m.scheduledTime} ${m.reason}`),
    ['2026-03-15T02:00:00.000Z OutsideEpsilon'],
  );
  assert.equal(st.nextRun, '2026-03-15T03:00:00.000Z');
  assert.equal(st.history?.length, 1, 'nothing ran for 02:00');
  assert.deepEqual(st.running, []);
  assert.equal(readFileSync(out, 'utf8'), '2026-03-15T01:00:00.000Z\n');
});
