import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRANTS_RESYNC_MS, GrantFlusher } from '../../../src/controller/grant-flusher.js';
import { GrantMapMissingError, type GrantWriter } from '../../../src/controller/task-grants.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A flusher over a writer that fails as `fail` says, recording each write it lets through. */
function setup(fail: (n: number) => Error | undefined = () => undefined) {
  const clock = new ManualClock();
  const writes: { at: number; entries: Record<string, string | null>; replace: boolean }[] = [];
  let n = 0;
  const writer: GrantWriter = {
    write: (entries, replace) => {
      const err = fail(++n);
      if (err) return Promise.reject(err);
      writes.push({ at: clock.now(), entries: { ...entries }, replace });
      return Promise.resolve();
    },
  };
  const told: string[][] = [];
  const f = new GrantFlusher(writer, clock, silentLogger(), (keys) => told.push([...keys]));
  return { clock, writes, told, f };
}

test('grants made in one turn share one write, and their keys are told once it lands', async () => {
  const { writes, told, f } = setup();
  await f.start();
  f.grants.grant('team', 'a', 'v1');
  f.grants.grant('team', 'b', 'v2');
  await settle();
  assert.deepEqual(
    writes.map((w) => w.entries),
    [{}, { 'team.a': 'v1', 'team.b': 'v2' }],
  );
  assert.deepEqual(told, [[], ['team.a', 'team.b']]);
  await f.stop();
});

test('a failed write is tried again after 100 ms, then 200 ms', async () => {
  // Writes 2 and 3 fail (the first is the start's).
  const { clock, writes, f } = setup((n) =>
    n === 2 || n === 3 ? new Error('timeout') : undefined,
  );
  await f.start();
  f.grants.grant('team', 'a', 'v1');
  await settle();
  assert.equal(writes.length, 1, 'the write failed');
  clock.advance(99);
  await settle();
  assert.equal(writes.length, 1);
  clock.advance(1); // 100 ms: tried again, fails again
  await settle();
  clock.advance(199);
  await settle();
  assert.equal(writes.length, 1);
  clock.advance(1); // 200 ms more: lands
  await settle();
  assert.deepEqual(writes.at(-1), { at: 300, entries: { 'team.a': 'v1' }, replace: false });
  await f.stop();
});

test('a map found missing is written whole again, not with the changes only', async () => {
  const { clock, writes, f } = setup((n) =>
    n === 3 ? new GrantMapMissingError('mezzo') : undefined,
  );
  await f.start();
  f.grants.grant('team', 'a', 'v1');
  await settle();
  f.grants.grant('team', 'b', 'v2'); // write 3: the map was deleted meanwhile
  await settle();
  clock.advance(100);
  await settle();
  assert.deepEqual(writes.at(-1), {
    at: 100,
    entries: { 'team.a': 'v1', 'team.b': 'v2' },
    replace: true,
  });
  await f.stop();
});

test('every minute the whole map is written again', async () => {
  const { clock, writes, f } = setup();
  await f.start();
  f.grants.grant('team', 'a', 'v1');
  await settle();
  clock.advance(GRANTS_RESYNC_MS);
  await settle();
  assert.deepEqual(writes.at(-1), {
    at: GRANTS_RESYNC_MS,
    entries: { 'team.a': 'v1' },
    replace: true,
  });
  await f.stop();
  clock.advance(GRANTS_RESYNC_MS);
  await settle();
  assert.equal(writes.length, 3, 'stopped: no more writes');
});
