// Properties of what the schedules framework makes of a Schedule: any spec value at all
// is a config or a rejection message (never a throw), whatever field holds whatever; and
// planning a valid schedule over any sequence of times — outages of minutes or of a
// century, runs ending or not — keeps nextRun in the future, never does more than a
// bounded amount of work in one pass, and keeps every list in status bounded.
// Fixed seed and a bounded count in `npm test`; MEZZO_FUZZ_RUNS=n runs n cases each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scheduleConfig } from '../../../src/frameworks/schedules/spec.js';
import {
  finishRun,
  initialState,
  MAX_RUNNING_RUNS,
  plan,
  type ScheduleState,
} from '../../../src/frameworks/schedules/planner.js';

const RUNS = Number(process.env.MEZZO_FUZZ_RUNS) || 100;
const settings = { seed: 20_260_317, numRuns: RUNS };

const valid = {
  schedule: 'R/2026-03-15T00:00:00Z/PT1H',
  command: 'true',
  parents: ['extract'],
  retries: 1,
  historyLimit: 5,
};
const FIELDS = [
  'schedule',
  'timeZone',
  'parents',
  'epsilon',
  'command',
  'args',
  'cpus',
  'mem',
  'disk',
  'env',
  'uris',
  'constraints',
  'retries',
  'retryBackoff',
  'concurrencyPolicy',
  'owner',
  'disabled',
  'historyLimit',
];

test('any spec, or a valid one with any field set to anything, is read without a throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        fc.tuple(fc.constantFrom(...FIELDS), fc.anything()).map(([k, v]) => ({ ...valid, [k]: v })),
      ),
      (spec) => {
        const r = scheduleConfig('job', spec);
        if (!r.ok) assert.equal(typeof r.message, 'string');
        else assert.ok(r.config.historyLimit <= 1000 && r.config.retries <= 1000);
      },
    ),
    settings,
  );
});

const SCHEDULES = ['R/2026-03-15T00:00:00Z/PT1M', 'R/2026-03-15T00:00:00Z/PT1H', '*/5 * * * *'];
const T0 = Date.parse('2026-03-15T00:00:00Z');

/** Steps: let time pass (up to a century), or end the oldest run in progress. */
const step = fc.oneof(
  fc.record({
    advance: fc.oneof(fc.integer({ min: 1, max: 3_600_000 }), fc.integer({ min: 1, max: 3.2e12 })),
  }),
  fc.record({
    finish: fc.constantFrom('Succeeded' as const, 'Failed' as const, 'Killed' as const),
  }),
);

test('planning over any time line keeps nextRun ahead, work per pass and lists bounded', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SCHEDULES),
      fc.constantFrom('Allow' as const, 'Forbid' as const, 'Replace' as const),
      fc.array(step, { maxLength: 40 }),
      (schedule, concurrency, steps) => {
        const r = scheduleConfig('job', {
          schedule,
          command: 'true',
          concurrencyPolicy: concurrency,
          historyLimit: 5,
          retries: 1,
        });
        assert.ok(r.ok);
        const cfg = r.config;
        const ctx = { lastSuccessOf: () => undefined };
        let now = T0 - 1;
        let state: ScheduleState = initialState();
        for (const s of steps) {
          if ('advance' in s) now += s.advance;
          else {
            const run = state.running[0];
            if (run) state = finishRun(cfg, state, run.id, s.finish, now).state;
          }
          const out = plan(cfg, state, now, ctx);
          state = out.state;
          if (state.nextRun !== undefined) assert.ok(state.nextRun > now, 'nextRun is ahead');
          // One pass: a superseded span, one run (and kills it replaces), a retry.
          assert.ok(out.actions.length <= MAX_RUNNING_RUNS + 4, `${out.actions.length} actions`);
          assert.ok(state.running.length <= MAX_RUNNING_RUNS);
          assert.ok(state.missed.length <= 5 && state.history.length <= 5);
        }
      },
    ),
    settings,
  );
});
