// A framework's event stream in batches: a scheduler that says how large a batch it reads
// (SubscribeRequest.max_batch_bytes) gets the events the controller wrote during one turn
// as one BATCH event, in order and never larger than it said; one that says nothing gets
// every event alone, as before batches. The SDK says it and hands each event on alone.
// Real controller on loopback; the burst is a reconciliation of 200 tasks the controller
// does not know, answered in one turn with 200 UPDATE events.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';
import { MAX_BATCH_BYTES } from '../../../src/shared/stream-outbox.js';
import { BoundedSubscription } from '../../../src/controller/bounded-subscription.js';
import type { Event__Output } from '../../../src/gen/mezzo/v1/Event.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { framework, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const { controller } = await startController();
cleanup.push(() => controller.stop());
const address = controller.grpcAddress;
const proto = schedulerProto();
const serialize = proto.mezzo.v1.Scheduler.service.Subscribe.responseSerialize;

const TASKS = Array.from({ length: 200 }, (_, i) => `ghost-${String(i).padStart(3, '0')}`);

/**
 * Subscribes by hand (announcing `maxBatchBytes` unless undefined), reconciles
 * {@link TASKS} and returns every event received until their 200 updates are in.
 */
async function reconcileBurst(name: string, maxBatchBytes: number | undefined) {
  const client = new proto.mezzo.v1.Scheduler(
    address,
    grpc.credentials.createInsecure(),
    authenticatedOptions(CLIENT_OPTIONS, { token: TEST_TOKEN }),
  );
  const call = client.Subscribe({
    framework_info: { name, user: 'nobody', roles: ['r'], failover_timeout_seconds: 0 },
    ...(maxBatchBytes !== undefined ? { max_batch_bytes: maxBatchBytes } : {}),
  });
  cleanup.push(() => {
    call.cancel();
    client.close();
  });
  const events: Event__Output[] = [];
  call.on('data', (e: Event__Output) => events.push(e));
  call.on('error', () => undefined);
  await until(() => events.some((e) => e.type === 'SUBSCRIBED'), 10_000, 'SUBSCRIBED');
  const subscribed = events.find((e) => e.type === 'SUBSCRIBED')?.subscribed;
  const header = {
    framework_id: subscribed?.framework_id ?? '',
    stream_id: subscribed?.stream_id ?? '',
  };
  await new Promise<void>((resolve, reject) => {
    client.Reconcile(
      { header, tasks: TASKS.map((task_id) => ({ task_id, agent_id: '' })) },
      (err: grpc.ServiceError | null) => (err ? reject(err) : resolve()),
    );
  });
  const updates = () =>
    events
      .flatMap((e) => (e.type === 'BATCH' ? (e.batch?.events ?? []) : [e]))
      .filter((e) => e.type === 'UPDATE');
  await until(
    () => updates().length >= TASKS.length,
    10_000,
    () => `200 updates (${String(updates().length)} in)`,
  );
  return {
    batches: events.filter((e) => e.type === 'BATCH'),
    updateIds: updates().map((e) => e.update?.status?.task_id ?? ''),
  };
}

test('a scheduler that reads batches gets one turn of updates as one event, in order', async () => {
  const { batches, updateIds } = await reconcileBurst('batched', MAX_BATCH_BYTES);
  assert.deepEqual(updateIds, TASKS);
  // 200 updates of about 100 bytes each fit one batch of at most 1 MiB: one event.
  assert.equal(batches.length, 1);
  assert.equal(batches[0]?.batch?.events.length, TASKS.length);
});

test('no batch is larger than the scheduler said it reads', async () => {
  const LIMIT = 2_000;
  const { batches, updateIds } = await reconcileBurst('small-batches', LIMIT);
  assert.deepEqual(updateIds, TASKS);
  // 200 updates of about 100 bytes in batches of at most 2,000 bytes: more than 10 batches.
  assert.ok(batches.length > 10, `${String(batches.length)} batches`);
  for (const b of batches) {
    assert.ok(serialize(b).length <= LIMIT, `a batch of ${String(serialize(b).length)} bytes`);
    assert.ok(
      b.batch?.events.every((e) => e.type !== 'BATCH'),
      'a batch inside a batch',
    );
  }
});

test('a scheduler that says nothing gets every event alone', async () => {
  const { batches, updateIds } = await reconcileBurst('unbatched', undefined);
  assert.deepEqual(updateIds, TASKS);
  assert.equal(batches.length, 0);
});

test('the SDK reads batches and hands each update on alone, in order', async () => {
  const fw = framework(address, 'sdk-batches', ['r'], 0);
  cleanup.push(() => fw.close());
  const seen: string[] = [];
  fw.on('update', (s) => seen.push(s.task_id));
  const id = await fw.start();
  // It said so: the controller batches its stream.
  const stream = controller.core.frameworks.get(id)?.stream;
  assert.ok(stream instanceof BoundedSubscription);
  assert.equal(stream.request.max_batch_bytes, MAX_BATCH_BYTES);
  await fw.reconcile(TASKS.map((task_id) => ({ task_id, agent_id: '' })));
  await until(
    () => seen.length >= TASKS.length,
    10_000,
    () => `200 updates (${String(seen.length)} in)`,
  );
  assert.deepEqual(seen, TASKS);
});
