// A three-job chain on a real agent: extract → transform → load. Extract is started by
// the run-now annotation; transform fails its first attempt and is retried after its
// backoff (a ManualClock minute); load runs once transform has succeeded.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import {
  eventually,
  schedule,
  startFramework,
  startStack,
  statusOf,
  type EventLog,
} from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('extract → transform (fails once, retried) → load', async () => {
  const stack = await startStack();
  cleanup.push(() => stack.stop());
  const d = stack.dir;
  const T0 = Date.parse('2026-03-15T12:00:00Z');
  const clock = new ManualClock(T0);
  const extract = schedule('extract', {
    schedule: 'R/2026-03-16T00:00:00Z/P1D',
    command: `echo extracted > ${d}/extract.out`,
  });
  extract.metadata.annotations = { 'mezzo.dev/run-now': 'first' };
  await stack.store.create(extract);
  await stack.store.create(
    schedule('transform', {
      parents: ['extract'],
      retries: 2,
      retryBackoff: 'PT1M',
      command: `if [ ! -e ${d}/transform.failed ]; then touch ${d}/transform.failed; exit 1; fi; tr a-z A-Z < ${d}/extract.out > ${d}/transform.out`,
    }),
  );
  await stack.store.create(
    schedule('load', {
      parents: ['transform'],
      command: `cat ${d}/transform.out >> ${d}/load.out`,
    }),
  );
  const events: EventLog = [];
  const fw = await startFramework(stack, clock, events);
  cleanup.push(() => fw.stop());

  await eventually(
    async () => (await statusOf(stack, 'transform')).pendingRetry !== undefined,
    15_000,
    'transform to fail and wait for its retry',
  );
  let t = await statusOf(stack, 'transform');
  // Failed at 12:00 (the manual clock stands still), backoff PT1M: retry at 12:01.
  assert.equal(t.pendingRetry?.at, '2026-03-15T12:01:00.000Z');
  assert.equal(t.pendingRetry.attempt, 2);
  const failed = t.history?.[0];
  assert.equal(failed?.result, 'Failed');
  assert.match(failed.message ?? '', /exit code 1/);
  assert.equal((await statusOf(stack, 'load')).history?.length ?? 0, 0, 'load waits');
  assert.ok(events.some((e) => e.reason === 'RunFailed' && e.name === 'transform'));

  clock.advance(59_000);
  await fw.settled();
  assert.equal((await statusOf(stack, 'transform')).running?.length, 0, 'not before 12:01');
  clock.advance(1_000);
  await eventually(
    async () => (await statusOf(stack, 'load')).history?.[0]?.result === 'Succeeded',
    15_000,
    'load to succeed',
  );
  assert.equal(readFileSync(join(d, 'load.out'), 'utf8'), 'EXTRACTED\n');
  t = await statusOf(stack, 'transform');
  assert.deepEqual(
    t.history?.map((h) => `${h.attempt} ${h.trigger} ${h.result}`),
    ['2 retry Succeeded', '1 dependency Failed'],
  );
  assert.equal(t.successCount, 1);
  assert.equal(t.errorCount, 1);
  const e = await statusOf(stack, 'extract');
  assert.equal(e.handledRunNow, 'first');
  assert.deepEqual(
    e.history?.map((h) => `${h.trigger} ${h.result}`),
    ['manual Succeeded'],
  );

  // Nothing runs again: the annotation value was served, the parents have not run since.
  clock.advance(60_000);
  await fw.settled();
  for (const name of ['extract', 'transform', 'load'])
    assert.deepEqual((await statusOf(stack, name)).running, [], `${name} idle`);
  assert.equal((await statusOf(stack, 'load')).successCount, 1);
  assert.equal(readFileSync(join(d, 'load.out'), 'utf8'), 'EXTRACTED\n');
});
