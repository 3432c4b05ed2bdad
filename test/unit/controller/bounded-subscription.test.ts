// BoundedSubscription's count of unread bytes, over a real object-mode Writable whose
// writes complete only when the test lets them (a peer whose flow-control window is
// shut): a write that finds nothing waiting is not counted, a completed write takes its
// bytes back, and the write that passes the bound ends the stream, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import {
  BoundedSubscription,
  batchEventBytes,
} from '../../../src/controller/bounded-subscription.js';
import type { EventStream } from '../../../src/controller/records.js';
import type { Event } from '../../../src/gen/mezzo/v1/Event.js';
import { schedulerProto } from '../../../src/shared/proto.js';

/** A stream whose writes wait for `release`; `cancelled` as a gRPC call's. */
class ShutWindow extends Writable {
  readonly request = {};
  cancelled = false;
  private waiting: (() => void)[] = [];
  errors: grpc.ServiceError[] = [];

  constructor() {
    super({ objectMode: true });
    this.on('error', (err: grpc.ServiceError) => this.errors.push(err));
  }

  override _write(_chunk: unknown, _enc: BufferEncoding, done: () => void): void {
    this.waiting.push(done);
  }

  /** Lets every write through, those queued behind the first included. */
  async release(): Promise<void> {
    while (this.waiting.length > 0) {
      for (const done of this.waiting.splice(0)) done();
      await new Promise((r) => setImmediate(r));
    }
  }
}

const event: Event = { type: 'HEARTBEAT' };
const s = schedulerProto().mezzo.v1.Scheduler.service.Subscribe.responseSerialize(event).length;

function bounded(maxBytes: number) {
  const call = new ShutWindow();
  const overflows: number[] = [];
  const sub = new BoundedSubscription(call as unknown as EventStream, maxBytes, (unread) =>
    overflows.push(unread),
  );
  return { call, sub, overflows };
}

test('the bound counts only what waits behind a write, and ends the stream once', async () => {
  const { call, sub, overflows } = bounded(3 * s);
  // #1 finds nothing waiting: 0; #2..#4: s, 2s, 3s (not past 3s).
  for (let i = 0; i < 4; i++) assert.equal(sub.write(event), true);
  assert.deepEqual(overflows, []);
  // #5: 4s > 3s.
  assert.equal(sub.write(event), true, 'the write that passes the bound is written');
  assert.deepEqual(overflows, [4 * s]);
  assert.equal(sub.write(event), false, 'nothing after it');
  assert.deepEqual(overflows, [4 * s], 'told once');
  await new Promise((r) => setImmediate(r));
  assert.equal(call.errors.length, 1);
  assert.equal(call.errors[0]?.code, grpc.status.RESOURCE_EXHAUSTED);
});

test('writes that completed take their bytes back', async () => {
  const { call, sub, overflows } = bounded(3 * s);
  // 0 + s + 2s, then all complete: 0.
  for (let i = 0; i < 3; i++) sub.write(event);
  await call.release();
  // Again 0, s, 2s, 3s: had the first three kept their bytes (2s), 2s + 3s > 3s.
  for (let i = 0; i < 4; i++) sub.write(event);
  assert.deepEqual(overflows, []);
  sub.write(event);
  assert.deepEqual(overflows, [4 * s]);
  await call.release();
});

test('a stream gone before the bound ended it is left alone', async () => {
  const { call, sub, overflows } = bounded(0);
  sub.write(event); // nothing waiting: 0, not past 0
  sub.write(event); // s > 0
  assert.deepEqual(overflows, [s]);
  call.cancelled = true;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(call.errors, [], 'no error on a cancelled call');
});

const serialize = schedulerProto().mezzo.v1.Scheduler.service.Subscribe.responseSerialize;
const sized = (chars: number): Event => ({ type: 'ERROR', error: { message: 'x'.repeat(chars) } });

// [events' message lengths, why]: a batch's size from its events' sizes, against the
// serializer. Lengths of 127/128 and 16,383/16,384 bytes cross a varint's byte boundary.
const batches: [number[], string][] = [
  [[0], 'one event, 4 bytes'],
  [[0, 0, 0], 'three small ones'],
  [[123, 124], 'events of 127 and 128 bytes: one- and two-byte lengths'],
  [[40, 40, 40], 'an inner length of 3 × (1 + 1 + 44) = 138: a two-byte length'],
  [[16_378, 16_379], 'events of 16,383 and 16,384 bytes'],
  [[70_000, 5, 300], 'a three-byte length inside and out'],
];
for (const [lengths, why] of batches) {
  test(`a batch's size from its events' sizes: ${why}`, () => {
    const events = lengths.map(sized);
    const wrapped: Event = { type: 'BATCH', batch: { events } };
    const sizes = events.map((e) => serialize(e).length);
    assert.equal(batchEventBytes(sizes), serialize(wrapped).length);
  });
}

// The outbox sizes each event to fill a batch; the batch's own size is summed from those,
// so a backlog costs no serialization beyond them (the code before serialized the batch
// once more: 7 calls here).
test("a backlogged batch is counted at its serialized size, from its events' sizes", async () => {
  const call = new ShutWindow();
  Object.assign(call, { request: { max_batch_bytes: 1024 * 1024 } });
  const turn = () => [sized(10), sized(200), sized(3)];
  const expected = serialize({ type: 'BATCH', batch: { events: turn() } }).length;
  const method = schedulerProto().mezzo.v1.Scheduler.service.Subscribe;
  let calls = 0;
  method.responseSerialize = (e: Event) => {
    calls++;
    return serialize(e);
  };
  const overflows: number[] = [];
  try {
    // Bound one byte under the second batch: the first found nothing waiting (0 counted).
    const sub = new BoundedSubscription(call as unknown as EventStream, expected - 1, (n) =>
      overflows.push(n),
    );
    for (const e of turn()) sub.write(e);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(overflows, []);
    for (const e of turn()) sub.write(e);
    await new Promise((r) => setImmediate(r));
  } finally {
    method.responseSerialize = serialize;
  }
  assert.deepEqual(overflows, [expected]);
  assert.equal(calls, 6, 'each event sized once, the batches not at all');
});
