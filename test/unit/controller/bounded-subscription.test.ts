// BoundedSubscription's count of unread bytes, over a real object-mode Writable whose
// writes complete only when the test lets them (a peer whose flow-control window is
// shut): a write that finds nothing waiting is not counted, a completed write takes its
// bytes back, and the write that passes the bound ends the stream, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { BoundedSubscription } from '../../../src/controller/bounded-subscription.js';
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
