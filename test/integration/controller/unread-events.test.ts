// A scheduler that stops reading its gRPC event stream: grpc-js would keep every event
// written after that in the controller's memory. Past the controller's bound of unread
// event bytes the stream ends with RESOURCE_EXHAUSTED and its framework is disconnected
// (its failover timeout starts), while another framework goes on being offered the
// cluster; the silent scheduler, reading again, gets what was written before the bound,
// then that status, and subscribing again brings its framework back. Real controller and
// 400 simulated agents on loopback (one offer event of the cluster is about 100 KiB), a
// scheduler speaking gRPC by hand.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';
import type { Event__Output } from '../../../src/gen/mezzo/v1/Event.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { framework, startWithSimAgents, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const BOUND = 512 * 1024;

/**
 * A gRPC subscription of framework `name` (with `id` to fail over) that reads nothing;
 * `batched`: it says it reads batches of events (SubscribeRequest.max_batch_bytes).
 */
function silentSubscription(address: string, name: string, batched: boolean, id = '') {
  const proto = schedulerProto();
  const client = new proto.mezzo.v1.Scheduler(
    address,
    grpc.credentials.createInsecure(),
    authenticatedOptions(CLIENT_OPTIONS, { token: TEST_TOKEN }),
  );
  const call = client.Subscribe({
    framework_info: { id, name, user: 'nobody', roles: ['r'], failover_timeout_seconds: 600 },
    max_batch_bytes: batched ? 64 * 1024 : 0,
  });
  const events: Event__Output[] = [];
  let status: grpc.status | undefined;
  call.on('data', (e: Event__Output) => events.push(e));
  call.on('error', (err: grpc.ServiceError) => {
    status = err.code;
  });
  call.pause();
  return {
    events,
    status: () => status,
    resume: () => call.resume(),
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

// The bound counts what was written either way: events alone, or one turn's in a batch.
for (const batched of [false, true])
  test(`a scheduler that stops reading${batched ? ' (in batches)' : ''} is cut off past the bound; the others are not`, async () => {
    const { controller } = await startWithSimAgents(
      {
        // Every free agent every pass, offers taken back soon: a stream written fast.
        adaptiveOffers: false,
        allocationIntervalMs: 50,
        offerTimeoutMs: 200,
        maxUnreadEventBytes: BOUND,
      },
      { count: 400, cpus: 4, memMiB: 8192, prefix: 'unread' },
      cleanup,
    );
    const core = controller.core;
    const reader = framework(controller.grpcAddress, 'reader', ['r']);
    let readerOffers = 0;
    reader.on('offers', (offers) => {
      readerOffers += offers.length;
      reader
        .decline(
          offers.map((o) => o.id),
          0,
        )
        .catch(() => undefined);
    });
    await reader.start();
    cleanup.push(() => {
      reader.close();
    });

    const silent = silentSubscription(controller.grpcAddress, 'silent', batched);
    cleanup.push(() => {
      silent.close();
    });
    const silentFw = () => [...core.frameworks.values()].find((f) => f.info.name === 'silent');
    await until(() => silentFw() !== undefined, 10_000, 'the silent framework to subscribe');
    // mezzo_controller_framework_streams_ended_unread_total
    const ended = async () => (await core.m.unreadStreamsEnded.get()).values[0]?.value;
    await until(() => silentFw()?.connected === false, 60_000, 'the silent stream to be cut off');
    assert.equal(await ended(), 1, 'counted once');
    const fw = silentFw();
    assert.ok(fw?.failoverTimer, 'its failover timeout runs');
    assert.equal(reader.connected, true, 'the reading framework is still subscribed');

    // The reading framework is offered the whole cluster afterwards.
    const before = readerOffers;
    await until(() => readerOffers > before + 400, 20_000, 'offers to the reading framework');

    // Reading again, the silent scheduler gets the events written before the bound, then
    // the status; nothing was written after it.
    silent.resume();
    await until(() => silent.status() !== undefined, 20_000, 'the stream to end');
    assert.equal(silent.status(), grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(silent.events[0]?.type, 'SUBSCRIBED');

    // Subscribing again under its ID brings it back.
    const again = silentSubscription(controller.grpcAddress, 'silent', batched, fw.id);
    cleanup.push(() => {
      again.close();
    });
    again.resume();
    await until(() => silentFw()?.connected === true, 10_000, 'the framework back');
    await until(
      () => again.events.some((e) => e.type === 'OFFERS'),
      10_000,
      'offers on the new subscription',
    );
  });
