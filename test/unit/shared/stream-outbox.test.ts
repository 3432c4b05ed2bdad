// StreamOutbox (src/shared/stream-outbox.ts): what is written in one turn of the event
// loop leaves in batches bounded by the peer's size, in order; without a size, each
// message goes alone at once, as before batches. The stream here records what grpc-js
// would be handed; the real streams are exercised by integration/agent/batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_BATCH_BYTES, StreamOutbox } from '../../../src/shared/stream-outbox.js';

/** A message of `bytes` serialized bytes, or a batch of them. */
type Msg = { id: string; bytes: number } | { batch: Msg[] };

function recorder(): { written: Msg[]; writable: boolean; outbox: StreamOutbox<Msg> } {
  const r = {
    written: [] as Msg[],
    writable: true,
    outbox: undefined as unknown as StreamOutbox<Msg>,
  };
  const stream = {
    write: (m: Msg) => {
      r.written.push(m);
      return true;
    },
    get writable() {
      return r.writable;
    },
  };
  r.outbox = new StreamOutbox<Msg>(stream, {
    wrap: (messages) => ({ batch: messages }),
    size: (m) => ('bytes' in m ? m.bytes : 0),
  });
  return r;
}

/** What was written, as ids and [ids] for batches. */
const shape = (written: Msg[]): unknown[] =>
  written.map((m) => ('batch' in m ? m.batch.map((x) => ('id' in x ? x.id : '?')) : m.id));

const msg = (id: string, bytes = 100): Msg => ({ id, bytes });

test('without a batch size each message is written at once, alone', () => {
  const r = recorder();
  r.outbox.write(msg('a'));
  r.outbox.write(msg('b'));
  // Synchronously, before any turn passes: nothing waits.
  assert.deepEqual(shape(r.written), ['a', 'b']);
  assert.deepEqual(r.outbox.stats, { batches: 0, messages: 0 });
});

// [case, batch limit, message sizes, expected writes]. A batch costs 6 bytes of framing
// plus, per message, its size and 6 more.
const cases: [string, number, number[], unknown[]][] = [
  // 6 + 3 × (100 + 6) = 324 ≤ 1,000: one batch.
  ['three small messages: one batch', 1000, [100, 100, 100], [['m0', 'm1', 'm2']]],
  ['one message: alone, not wrapped', 1000, [100], ['m0']],
  // 6 + 2 × 406 = 818 ≤ 1,000; a third makes 1,224 > 1,000: batches of two, the last alone.
  [
    '400-byte messages under 1,000: two a batch',
    1000,
    [400, 400, 400, 400, 400],
    [['m0', 'm1'], ['m2', 'm3'], 'm4'],
  ],
  // m1 alone is 6 + 5,006 > 1,000: it goes by itself, between the batches around it.
  [
    'a message over the limit goes alone, in its place',
    1000,
    [100, 100, 5000, 100, 100],
    [['m0', 'm1'], 'm2', ['m3', 'm4']],
  ],
  // The peer's 64 MiB is capped at MAX_BATCH_BYTES (1 MiB): 6 + 2 × (600,000 + 6) > 1 MiB.
  ['a peer limit above 1 MiB is capped', 64 * 1024 * 1024, [600_000, 600_000], ['m0', 'm1']],
];

for (const [name, limit, sizes, expected] of cases) {
  test(`a turn's writes: ${name}`, async () => {
    const r = recorder();
    r.outbox.batchUpTo(limit);
    sizes.forEach((bytes, i) => r.outbox.write(msg(`m${String(i)}`, bytes)));
    assert.deepEqual(r.written, [], 'nothing leaves before the turn ends');
    await nextTurn();
    assert.deepEqual(shape(r.written), expected);
    const batches = expected.filter((e) => Array.isArray(e)) as unknown[][];
    assert.deepEqual(r.outbox.stats, {
      batches: batches.length,
      messages: batches.reduce((n, b) => n + b.length, 0),
    });
  });
}

test('each turn sends what was written in it; order holds across turns', async () => {
  const r = recorder();
  r.outbox.batchUpTo(MAX_BATCH_BYTES);
  r.outbox.write(msg('a'));
  r.outbox.write(msg('b'));
  await nextTurn();
  r.outbox.write(msg('c'));
  await nextTurn();
  r.outbox.write(msg('d'));
  r.outbox.write(msg('e'));
  r.outbox.write(msg('f'));
  await nextTurn();
  assert.deepEqual(shape(r.written), [['a', 'b'], 'c', ['d', 'e', 'f']]);
});

test('drain sends what this turn queued at once, and the end of the turn sends nothing more', async () => {
  const r = recorder();
  r.outbox.batchUpTo(MAX_BATCH_BYTES);
  r.outbox.write(msg('a'));
  r.outbox.write(msg('b'));
  r.outbox.drain();
  // What a stream about to end was sent, before its end.
  assert.deepEqual(shape(r.written), [['a', 'b']]);
  await nextTurn();
  assert.deepEqual(shape(r.written), [['a', 'b']]);
});

test('a stream that ended meanwhile is not written to', async () => {
  const r = recorder();
  r.outbox.batchUpTo(MAX_BATCH_BYTES);
  r.outbox.write(msg('a'));
  r.writable = false;
  await nextTurn();
  assert.deepEqual(r.written, []);
});

test('a batch size of 0, NaN or below 0 means no batches', () => {
  for (const limit of [0, NaN, -5]) {
    const r = recorder();
    r.outbox.batchUpTo(limit);
    r.outbox.write(msg('a'));
    r.outbox.write(msg('b'));
    assert.deepEqual(shape(r.written), ['a', 'b'], String(limit));
  }
});
