// The controller looks at the allocator again when its next refuse filter lapses: one
// timer, for the earliest lapse, never sooner than 10 ms ahead (lapses that close are
// one pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterWakeup } from '../../../src/controller/filter-wakeup.js';
import { ManualClock } from '../../../src/shared/clock.js';

test('one wake-up at the earliest lapse, moved earlier by an earlier one', () => {
  const clock = new ManualClock(0);
  const lapses: number[] = [];
  const wakes: number[] = [];
  const w = new FilterWakeup(
    clock,
    () => (lapses.length > 0 ? Math.min(...lapses) : undefined),
    () => wakes.push(clock.now()),
  );
  w.watch(); // no filter: no timer
  clock.advance(1_000);
  assert.deepEqual(wakes, []);

  lapses.push(2_000); // a filter lapsing at 2,000
  w.watch();
  lapses.push(1_500); // an earlier one: the timer moves to 1,500
  w.watch();
  lapses.push(1_800); // a later one: the timer stays
  w.watch();
  clock.advance(499);
  assert.deepEqual(wakes, []);
  clock.advance(1);
  assert.deepEqual(wakes, [1_500], 'woken once, at the earliest lapse');

  // The pass took the lapsed filter; the next one (1,800) is watched from there.
  lapses.splice(lapses.indexOf(1_500), 1);
  w.watch();
  clock.advance(300);
  assert.deepEqual(wakes, [1_500, 1_800]);

  // A lapse already past (or 3 ms ahead) is taken 10 ms on: 1,800 + 10.
  lapses.splice(lapses.indexOf(1_800), 1);
  lapses.push(1_803);
  w.watch();
  clock.advance(9);
  assert.deepEqual(wakes, [1_500, 1_800]);
  clock.advance(1);
  assert.deepEqual(wakes, [1_500, 1_800, 1_810]);

  // Stopped: the timer set for 2,000 never fires.
  lapses.splice(lapses.indexOf(1_803), 1);
  w.watch();
  w.stop();
  clock.advance(1_000);
  assert.deepEqual(wakes, [1_500, 1_800, 1_810]);
});
