// The schedule engine driven by a manual clock: no sleeping, every time explicit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecurrence } from '../../../src/frameworks/schedules/recurrence.js';
import {
  finishRun,
  initialState,
  MAX_RUNNING_RUNS,
  nextWakeup,
  plan,
  type ScheduleConfig,
  type ScheduleState,
} from '../../../src/frameworks/schedules/planner.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-15T00:00:00Z');

function config(over: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return {
    name: 'job',
    recurrence: parseRecurrence('R/2026-03-15T00:00:00Z/PT1H'),
    parents: [],
    epsilonMs: 15 * MIN,
    retries: 0,
    retryBackoffMs: MIN,
    retryBackoffFactor: 2,
    maxRetryBackoffMs: 60 * MIN,
    concurrency: 'Allow',
    disabled: false,
    historyLimit: 10,
    ...over,
  };
}
const noParents = { lastSuccessOf: () => undefined };

test('epsilon PT15M: a 10-minute outage starts the run late, a 20-minute one skips it', () => {
  const cfg = config();
  let s = plan(cfg, initialState(), T0 - 1, noParents).state;
  assert.equal(s.nextRun, T0);
  // Controller down from 00:00 to 00:10: the 00:00 run is 10 min late, within epsilon.
  let r = plan(cfg, s, T0 + 10 * MIN, noParents);
  assert.deepEqual(
    r.actions.map((a) => a.type),
    ['launch'],
  );
  const first = r.actions[0];
  assert.ok(first?.type === 'launch');
  assert.equal(first.run.id, `job-${T0}-1`);
  s = finishRun(cfg, r.state, first.run.id, 'Succeeded', T0 + 11 * MIN).state;
  // Down again from 01:00 to 01:20: 20 min > 15 min, recorded as missed, not run.
  r = plan(cfg, s, T0 + 80 * MIN, noParents);
  assert.deepEqual(r.actions, [
    {
      type: 'missed',
      missed: { scheduledTime: T0 + 60 * MIN, reason: 'OutsideEpsilon', recordedAt: T0 + 80 * MIN },
    },
  ]);
  assert.equal(r.state.nextRun, T0 + 120 * MIN);
  assert.equal(r.state.missed.length, 1);
});

test('after a long outage only the latest occurrence may run; earlier ones are superseded', () => {
  const cfg = config();
  const s = plan(cfg, initialState(), T0 - 1, noParents).state;
  // Down 00:00 to 03:05: occurrences 00, 01, 02, 03; 03:00 is 5 min late. 00 to 02 are
  // superseded, recorded once as a span (not one entry, or one step, per occurrence).
  const r = plan(cfg, s, T0 + 185 * MIN, noParents);
  assert.deepEqual(
    r.actions.map((a) =>
      a.type === 'missed'
        ? `missed ${a.missed.reason} ${(a.missed.scheduledTime - T0) / MIN}..${((a.until ?? 0) - T0) / MIN}`
        : a.type,
    ),
    ['missed Superseded 0..120', 'launch'],
  );
  assert.equal(r.state.nextRun, T0 + 240 * MIN);
  assert.equal(r.state.missed.length, 1);
});

test('years of missed minutes are skipped in one step', () => {
  // Every minute from 2026; back in 2126: about 52.6 million occurrences due. Before, the
  // planner walked 10,000 of them per pass, each a date computation and an event.
  const cfg = config({
    recurrence: parseRecurrence('R/2026-01-01T00:00:00Z/PT1M'),
    epsilonMs: MIN,
  });
  const start = Date.parse('2026-01-01T00:00:00Z');
  const s = plan(cfg, initialState(), start - 1, noParents).state;
  const back = Date.parse('2126-01-01T00:00:30Z');
  const r = plan(cfg, s, back, noParents);
  // Due 2126-01-01T00:00:00Z, 30 s late (< 1 min epsilon): it runs; the rest is one span.
  assert.deepEqual(
    r.actions.map((a) => a.type),
    ['missed', 'launch'],
  );
  const run = r.actions[1];
  assert.ok(run?.type === 'launch');
  assert.equal(new Date(run.run.scheduledTime).toISOString(), '2126-01-01T00:00:00.000Z');
  assert.equal(new Date(r.state.nextRun ?? 0).toISOString(), '2126-01-01T00:01:00.000Z');
});

test('a schedule never runs more than MAX_RUNNING_RUNS at once', () => {
  const cfg = config();
  let s = plan(cfg, initialState(), T0 - 1, noParents).state;
  // 00:00, 01:00, ... each run never ends (concurrency Allow).
  for (let h = 0; h <= MAX_RUNNING_RUNS; h++) s = plan(cfg, s, T0 + h * 60 * MIN, noParents).state;
  assert.equal(s.running.length, MAX_RUNNING_RUNS);
  assert.equal(s.missed[0]?.reason, 'StillRunning');
});

test('plan is idempotent at the same instant: nothing is launched twice', () => {
  const cfg = config();
  const s = plan(cfg, initialState(), T0 - 1, noParents).state;
  const r1 = plan(cfg, s, T0, noParents);
  assert.equal(r1.actions.length, 1);
  const r2 = plan(cfg, r1.state, T0, noParents);
  assert.deepEqual(r2.actions, []);
  assert.equal(nextWakeup(r2.state), T0 + 60 * MIN);
});

test('a failure is retried with exponential backoff, then the owner is told', () => {
  // retries 2, backoff 1 min doubling: attempt 2 at +1 min, attempt 3 at +2 min.
  const cfg = config({ retries: 2 });
  let s: ScheduleState = plan(cfg, initialState(), T0 - 1, noParents).state;
  let r = plan(cfg, s, T0, noParents);
  let run = r.actions[0];
  assert.ok(run?.type === 'launch');
  s = finishRun(cfg, r.state, run.run.id, 'Failed', T0 + MIN).state;
  assert.deepEqual(s.pendingRetry, { at: T0 + 2 * MIN, scheduledTime: T0, attempt: 2 });
  assert.deepEqual(plan(cfg, s, T0 + 2 * MIN - 1, noParents).actions, []);
  r = plan(cfg, s, T0 + 2 * MIN, noParents);
  run = r.actions[0];
  assert.ok(run?.type === 'launch');
  assert.equal(run.run.id, `job-${T0}-2`);
  assert.equal(run.run.trigger, 'retry');
  s = finishRun(cfg, r.state, run.run.id, 'Failed', T0 + 3 * MIN).state;
  assert.equal(s.pendingRetry?.at, T0 + 5 * MIN);
  r = plan(cfg, s, T0 + 5 * MIN, noParents);
  run = r.actions[0];
  assert.ok(run?.type === 'launch');
  const end = finishRun(cfg, r.state, run.run.id, 'Failed', T0 + 6 * MIN);
  assert.deepEqual(
    end.actions.map((a) => a.type),
    ['notifyFailure'],
  );
  assert.equal(end.state.errorCount, 3);
  assert.equal(end.state.pendingRetry, undefined);
  // A duplicate (at-least-once) finish changes nothing.
  assert.equal(finishRun(cfg, end.state, run.run.id, 'Failed', T0 + 7 * MIN).state, end.state);
});

test('a three-job chain: transform fails once, is retried, then load runs', () => {
  const successes = new Map<string, number>();
  const ctx = { lastSuccessOf: (n: string) => successes.get(n) };
  const extract = config({ name: 'extract' });
  const transform = config({
    name: 'transform',
    recurrence: undefined,
    parents: ['extract'],
    retries: 1,
  });
  const load = config({ name: 'load', recurrence: undefined, parents: ['transform'] });
  let sx = plan(extract, initialState(), T0 - 1, ctx).state;
  let st = initialState();
  let sl = initialState();

  const rx = plan(extract, sx, T0, ctx);
  const ex = rx.actions[0];
  assert.ok(ex?.type === 'launch');
  assert.deepEqual(plan(transform, st, T0, ctx).actions, [], 'transform waits for extract');
  sx = finishRun(extract, rx.state, ex.run.id, 'Succeeded', T0 + MIN).state;
  successes.set('extract', T0 + MIN);

  let rt = plan(transform, st, T0 + MIN, ctx);
  const t1 = rt.actions[0];
  assert.ok(t1?.type === 'launch');
  assert.equal(t1.run.trigger, 'dependency');
  st = finishRun(transform, rt.state, t1.run.id, 'Failed', T0 + 2 * MIN).state;
  assert.deepEqual(plan(load, sl, T0 + 2 * MIN, ctx).actions, [], 'load waits for transform');
  // The dependency trigger does not fire again while the retry is pending.
  assert.deepEqual(plan(transform, st, T0 + 2 * MIN, ctx).actions, []);
  rt = plan(transform, st, T0 + 3 * MIN, ctx);
  const t2 = rt.actions[0];
  assert.ok(t2?.type === 'launch');
  assert.equal(t2.run.attempt, 2);
  st = finishRun(transform, rt.state, t2.run.id, 'Succeeded', T0 + 4 * MIN).state;
  successes.set('transform', T0 + 4 * MIN);
  // No second transform run for the same extract success.
  assert.deepEqual(plan(transform, st, T0 + 5 * MIN, ctx).actions, []);

  const rl = plan(load, sl, T0 + 4 * MIN, ctx);
  assert.equal(rl.actions[0]?.type, 'launch');
  sl = rl.state;
  assert.equal(sl.running.length, 1);
  assert.equal(sx.successCount, 1);
  assert.equal(st.errorCount, 1);
  assert.equal(st.successCount, 1);
});

// [policy, actions when a run is due while the previous one still runs]
const policies: [ScheduleConfig['concurrency'], string[]][] = [
  ['Allow', ['launch']],
  ['Forbid', ['missed StillRunning']],
  ['Replace', ['kill', 'launch']],
];
for (const [policy, want] of policies) {
  test(`concurrency ${policy}`, () => {
    const cfg = config({ concurrency: policy, epsilonMs: 60 * MIN });
    let s = plan(cfg, initialState(), T0 - 1, noParents).state;
    s = plan(cfg, s, T0, noParents).state; // run 00:00 starts and keeps running
    const r = plan(cfg, s, T0 + 60 * MIN, noParents);
    assert.deepEqual(
      r.actions.map((a) => (a.type === 'missed' ? `missed ${a.missed.reason}` : a.type)),
      want,
    );
  });
}

test('disabled schedules record their due runs as missed; manual requests still run', () => {
  const cfg = config({ disabled: true });
  let s = plan(cfg, initialState(), T0 - 1, noParents).state;
  let r = plan(cfg, s, T0, noParents);
  assert.deepEqual(
    r.actions.map((a) => (a.type === 'missed' ? a.missed.reason : a.type)),
    ['Disabled'],
  );
  s = { ...r.state, manualRequest: T0 + 5 * MIN };
  r = plan(cfg, s, T0 + 5 * MIN, noParents);
  const launch = r.actions[0];
  assert.ok(launch?.type === 'launch');
  assert.equal(launch.run.trigger, 'manual');
  assert.equal(r.state.manualRequest, undefined);
});

test('history and missed lists keep the newest entries up to historyLimit', () => {
  const cfg = config({ historyLimit: 2, epsilonMs: 1 });
  let s = plan(cfg, initialState(), T0 - 1, noParents).state;
  for (let h = 0; h < 4; h++) s = plan(cfg, s, T0 + h * 60 * MIN + 10, noParents).state; // each 10 ms late
  assert.deepEqual(
    s.missed.map((m) => (m.scheduledTime - T0) / MIN),
    [180, 120],
  );
});

test('two manual runs asked for within one second are two runs', () => {
  const cfg = config({ recurrence: undefined, parents: [] });
  // run-now at 00:00:00.100 and again at 00:00:00.600 (Allow: both run)
  const a = plan(cfg, { ...initialState(), manualRequest: T0 + 100 }, T0 + 100, noParents);
  const b = plan(cfg, { ...a.state, manualRequest: T0 + 600 }, T0 + 600, noParents);
  const ids = [...a.actions, ...b.actions].flatMap((x) => (x.type === 'launch' ? [x.run.id] : []));
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
  assert.equal(b.state.running.length, 2);
});
