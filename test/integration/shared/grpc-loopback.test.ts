// The scheduler service definition round-trips over real gRPC on loopback: the event
// stream, unary calls, and a handler's error status reaching the client intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../../../src/shared/proto.js';
import { startGrpcServer, grpcError, CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import type { SchedulerHandlers } from '../../../src/gen/mezzo/v1/Scheduler.js';
import type { Event__Output } from '../../../src/gen/mezzo/v1/Event.js';

function unimplemented(_call: unknown, cb: grpc.sendUnaryData<object>): void {
  cb(grpcError(grpc.status.UNIMPLEMENTED, 'not in this test'));
}

test('Subscribe streams events and Decline errors carry their status code', async () => {
  const proto = schedulerProto();
  const handlers: SchedulerHandlers = {
    Subscribe(call) {
      const fw = call.request.framework_info;
      call.write({
        type: 'SUBSCRIBED',
        subscribed: { framework_id: `fw-${fw?.name ?? ''}`, stream_id: 's1' },
      });
      call.write({ type: 'HEARTBEAT' });
      call.end();
    },
    Decline(call, cb) {
      if (call.request.offer_ids.length === 0) {
        cb(grpcError(grpc.status.INVALID_ARGUMENT, 'decline names no offers'));
        return;
      }
      cb(null, {});
    },
    Accept: unimplemented,
    Revive: unimplemented,
    Suppress: unimplemented,
    Kill: unimplemented,
    Acknowledge: unimplemented,
    Reconcile: unimplemented,
    Message: unimplemented,
    Teardown: unimplemented,
  };
  const srv = await startGrpcServer('127.0.0.1', 0, (s) => {
    s.addService(proto.mezzo.v1.Scheduler.service, handlers);
  });
  const client = new proto.mezzo.v1.Scheduler(
    srv.address,
    grpc.credentials.createInsecure(),
    CLIENT_OPTIONS,
  );
  try {
    const events: Event__Output[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.Subscribe({ framework_info: { name: 'demo', roles: ['eng'] } });
      stream.on('data', (e: Event__Output) => events.push(e));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ['SUBSCRIBED', 'HEARTBEAT'],
    );
    const first = events[0];
    assert.ok(first);
    assert.equal(first.payload, 'subscribed');
    assert.equal(first.subscribed?.framework_id, 'fw-demo');

    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.Decline({ header: { framework_id: 'fw-demo' }, offer_ids: [] }, (e) => resolve(e));
    });
    assert.ok(err, 'an empty decline must fail');
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(err.details, 'decline names no offers');
    const ok = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.Decline({ header: { framework_id: 'fw-demo' }, offer_ids: ['o1'] }, (e) => resolve(e));
    });
    assert.equal(ok, null);
  } finally {
    client.close();
    await srv.stop();
  }
});
