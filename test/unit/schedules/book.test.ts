// The framework's decisions without I/O: a ScheduleBook fed objects and times, its
// status documents and sink calls inspected. Every time is explicit; nothing sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleBook, type BookSink } from '../../../src/frameworks/schedules/book.js';
import { fromStatus, toStatus } from '../../../src/frameworks/schedules/status.js';
import { API_VERSION, type StoredObject } from '../../../src/store/types.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-15T10:00:00Z');

function sched(
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): StoredObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Schedule',
    metadata: { name, namespace: 'ns', generation: 1, ...(annotations ? { annotations } : {}) },
    spec: { command: 'true', ...spec },
  };
}

function recorder(): { sink: BookSink; kills: string[]; events: string[] } {
  const kills: string[] = [];
  const events: string[] = [];
  return {
    kills,
    events,
    sink: {
      kill: (id) => kills.push(id),
      event: (t, _type, reason, message) => events.push(`${t.name} ${reason}: ${message}`),
      failure: (n) => events.push(`${n.schedule} owner: ${n.message}`),
    },
  };
}

function statusOf(book: ScheduleBook, name: string, now: number): Record<string, unknown> {
  const found = book.changedStatuses(now).find((c) => c.t.name === name);
  assert.ok(found, `a status for ${name}`);
  return found.status;
}

test('a cycle stops its members with a condition naming it; other schedules still run', () => {
  const r = recorder();
  const book = new ScheduleBook(r.sink);
  book.upsert(sched('a', { schedule: 'R/2026-03-15T10:00:00Z/PT1H', parents: ['c'] }));
  book.upsert(sched('b', { parents: ['a'] }));
  book.upsert(sched('c', { parents: ['b'] }));
  book.upsert(sched('d', { parents: ['c'] }));
  book.upsert(sched('solo', { schedule: 'R/2026-03-15T10:00:00Z/PT1H' }));
  book.planAll(T0);
  for (const name of ['a', 'b', 'c']) {
    const cond = (statusOf(book, name, T0).conditions as { status: string; message: string }[])[0];
    assert.equal(cond?.status, 'False');
    assert.equal(cond.message, 'dependency cycle: a -> b -> c -> a');
  }
  const d = (statusOf(book, 'd', T0).conditions as { reason: string; message: string }[])[0];
  assert.equal(d?.reason, 'InvalidDependencies');
  assert.match(d.message, /parent "c" cannot run \(dependency cycle/);
  // Only solo was planned: due 10:00, now 10:00 → launch.
  assert.deepEqual(
    book.launchable().map((l) => l.run.id),
    [],
    'nothing launchable until its status is written',
  );
  assert.equal(
    book
      .all()
      .filter((t) => t.persisted.state.running.length > 0)
      .map((t) => t.name)
      .join(),
    'solo',
  );
  assert.ok(r.events.some((e) => e.startsWith('a DependencyCycle: schedule cannot run')));
});

test('each distinct run-now annotation value is served once', () => {
  const book = new ScheduleBook(recorder().sink);
  // A daily job whose next run is tomorrow: only run-now can start it today.
  const spec = { schedule: 'R/2026-03-16T00:00:00Z/P1D' };
  book.upsert(sched('job', spec, { 'mezzo.dev/run-now': 'v1' }));
  book.planAll(T0);
  const t = book.all()[0];
  assert.ok(t);
  assert.deepEqual(
    t.persisted.state.running.map((r) => `${r.id} ${r.trigger}`),
    [`job-${T0}-1 manual`],
  );
  assert.equal(t.persisted.handledRunNow, 'v1');
  book.finish(t, `job-${T0}-1`, 'Succeeded', '', T0 + MIN);
  // Same value, later: nothing new.
  book.planAll(T0 + 2 * MIN);
  assert.equal(t.persisted.state.running.length, 0);
  // A new value: one more run.
  book.upsert(sched('job', spec, { 'mezzo.dev/run-now': 'v2' }));
  book.planAll(T0 + 3 * MIN);
  assert.deepEqual(
    t.persisted.state.running.map((r) => r.id),
    [`job-${T0 + 3 * MIN}-1`],
  );
});

test('a new schedule text recomputes nextRun; an invalid one is a condition, not a crash', () => {
  const book = new ScheduleBook(recorder().sink);
  book.upsert(sched('job', { schedule: 'R/2026-03-15T00:00:00Z/PT1H' }));
  book.planAll(T0 + 1);
  const t = book.all()[0];
  assert.ok(t);
  // Hourly from 00:00, now 10:00 + 1 ms → next 11:00.
  assert.equal(t.persisted.state.nextRun, T0 + 60 * MIN);
  book.upsert(sched('job', { schedule: '*/15 * * * *' }));
  book.planAll(T0 + 1);
  // Every 15 minutes → 10:15.
  assert.equal(t.persisted.state.nextRun, T0 + 15 * MIN);
  book.upsert(sched('job', { schedule: 'every tuesday' }));
  book.planAll(T0 + 1);
  const cond = (statusOf(book, 'job', T0).conditions as { reason: string; message: string }[])[0];
  assert.equal(cond?.reason, 'InvalidSpec');
  assert.match(cond.message, /neither an ISO 8601 repeating interval/);
  assert.equal(book.wakeup(), undefined, 'an invalid schedule sets no timer');
});

test('Replace kills a launched run when the next one is due', () => {
  const r = recorder();
  const book = new ScheduleBook(r.sink);
  book.upsert(
    sched('job', { schedule: 'R/2026-03-15T10:00:00Z/PT1H', concurrencyPolicy: 'Replace' }),
  );
  book.planAll(T0);
  const t = book.all()[0];
  assert.ok(t);
  const first = `job-${T0}-1`;
  t.persisted.phases.set(first, 'Launched');
  book.planAll(T0 + 60 * MIN);
  assert.deepEqual(r.kills, [`schedule.ns.${first}`]);
  // The kill's update: recorded as Killed, replaced, not retried, the owner not told.
  book.finish(t, first, 'Killed', 'TASK_KILLED', T0 + 60 * MIN);
  assert.equal(t.persisted.state.pendingRetry, undefined);
  assert.equal(t.persisted.state.history[0]?.message, 'replaced by a newer run');
  assert.ok(!r.events.some((e) => e.includes('owner')));
});

test('status round trip: what one instance writes, the next reads back unchanged', () => {
  const book = new ScheduleBook(recorder().sink);
  book.upsert(sched('job', { schedule: 'R/2026-03-15T10:00:00Z/PT1H', retries: 1 }));
  book.planAll(T0);
  const t = book.all()[0];
  assert.ok(t);
  book.finish(t, `job-${T0}-1`, 'Failed', 'exit code 1', T0 + MIN);
  book.planAll(T0 + 90 * MIN);
  const doc = toStatus('ns', t.persisted, [], 1);
  const back = fromStatus(doc);
  // Compared as JSON: an absent field and an undefined one are the same in a status.
  assert.deepEqual(
    JSON.parse(JSON.stringify(back.state)),
    JSON.parse(JSON.stringify(t.persisted.state)),
  );
  assert.deepEqual([...back.phases], [...t.persisted.phases]);
  assert.equal(back.observedSchedule, t.persisted.observedSchedule);
  assert.deepEqual(toStatus('ns', back, [], 1), doc);
});

// Two controllers on one cluster (two installs, or a test's controller left running) each
// run a schedules framework. When each took a condition's transition time from the
// object, every write of the other's time read as a change and was written back with a
// new one: 17,832 status PUTs in a minute for the ETL example's three Schedules.
test("another writer's transition time is not a change this instance writes back", () => {
  const book = new ScheduleBook(recorder().sink);
  book.upsert(sched('job', { schedule: 'R/2026-03-15T10:00:00Z/PT1H' }));
  book.planAll(T0);
  const [mine] = book.changedStatuses(T0);
  assert.ok(mine);
  mine.t.written = mine.status;
  // The other instance's write of the same status, its condition made a second later and
  // its keys in the apiserver's (sorted) order.
  const conditions = mine.status.conditions as Record<string, unknown>[];
  const theirs = {
    ...mine.status,
    conditions: conditions.map((c) => ({
      ...c,
      lastTransitionTime: new Date(T0 + 1_000).toISOString(),
    })),
  };
  const sorted = Object.fromEntries(Object.entries(theirs).sort(([a], [b]) => a.localeCompare(b)));
  book.upsert({ ...sched('job', { schedule: 'R/2026-03-15T10:00:00Z/PT1H' }), status: sorted });
  book.planAll(T0 + 2_000);
  assert.deepEqual(book.changedStatuses(T0 + 2_000), []);
});

test('a hand-edited status whose conditions are not a list of conditions is planned as usual', () => {
  for (const conditions of ['Valid', [null, 7, { type: 'Valid' }], { type: 'Valid' }]) {
    const book = new ScheduleBook(recorder().sink);
    book.upsert({
      ...sched('job', { schedule: 'R/2026-03-15T10:00:00Z/PT1H' }),
      status: { conditions },
    });
    book.planAll(T0);
    const cond = (
      statusOf(book, 'job', T0).conditions as { status: string; lastTransitionTime: string }[]
    )[0];
    assert.equal(cond?.status, 'True');
    assert.equal(cond.lastTransitionTime, new Date(T0).toISOString());
  }
});
