// One principal calling as fast as it can: its scheduler calls are paced (past its burst
// they wait their turn, past a queue as deep they are refused) while another principal's
// calls pass at once. A reconciliation costs one token more per ten tasks, since a single
// call naming 10,000 tasks has the controller write 10,000 updates. Refused calls change
// nothing: no update is written for them. Real controller guarded as `mezzo dev` guards
// it, raw gRPC and the Mesos HTTP API on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../../../src/shared/proto.js';
import type { Event__Output } from '../../../src/gen/mezzo/v1/Event.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { until } from '../controller/support.js';
import {
  mesosFramework,
  startGuarded,
  tokenMetadata,
  TOKENS,
  type GuardedController,
} from './support.js';

// 5 tokens a second, 10 at once, 10 more owed at most.
const LIMIT = { ratePerSecond: 5, burst: 10 };

let c: GuardedController;
const closers: (() => void)[] = [];

before(async () => {
  c = await startGuarded(undefined, '', LIMIT);
});
after(async () => {
  for (const close of closers) close();
  await c.stop();
});

/** A raw gRPC framework of the holder of `token`, its events collected. */
async function subscribed(token: string, name: string) {
  const proto = schedulerProto();
  const client = new proto.mezzo.v1.Scheduler(
    c.controller.grpcAddress,
    grpc.credentials.createInsecure(),
  );
  const events: Event__Output[] = [];
  const call = client.Subscribe(
    { framework_info: { name, user: 'nobody', roles: [name], failover_timeout_seconds: 60 } },
    tokenMetadata(token),
  );
  call.on('data', (e: Event__Output) => events.push(e));
  call.on('error', () => undefined);
  closers.push(() => {
    call.cancel();
    client.close();
  });
  await until(() => events[0]?.type === 'SUBSCRIBED', 10_000, `${name} subscribed`);
  const header = {
    framework_id: events[0]?.subscribed?.framework_id ?? '',
    stream_id: events[0]?.subscribed?.stream_id ?? '',
  };
  const unary = (method: 'Reconcile' | 'Revive', request: { tasks?: object[]; roles?: string[] }) =>
    new Promise<{ code: grpc.status; details: string; at: number }>((resolve) => {
      const done = (err: grpc.ServiceError | null) => {
        resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '', at: Date.now() });
      };
      if (method === 'Reconcile')
        client.Reconcile({ header, tasks: request.tasks ?? [] }, tokenMetadata(token), done);
      else client.Revive({ header, roles: request.roles ?? [] }, tokenMetadata(token), done);
    });
  return { events, unary };
}

const unknownTasks = (from: number) =>
  Array.from({ length: 10 }, (_, i) => ({ task_id: `ghost-${String(from + i)}`, agent_id: '' }));

test("a principal past its pace waits, then is refused; another principal's calls pass at once", async () => {
  const mallory = await subscribed(TOKENS.mallory, 'flood'); // 10 → 9
  const admin = await subscribed(TEST_TOKEN, 'bystander'); // its own bucket: 10 → 9
  const updates = () => mallory.events.filter((e) => e.type === 'UPDATE').length;

  // 40 reconciliations of 10 unknown tasks each, 1 + 10 / 10 = 2 tokens a call, at once:
  // 4 pass (9 → 1), 5 wait (1 → -1, -3, -5, -7, -9: 0.2 s to 1.8 s), the rest are refused
  // (-9 - 2 < -10), give or take a token refilled while they arrive.
  const flood = Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      mallory.unary('Reconcile', { tasks: unknownTasks(i * 10) }),
    ),
  );
  // Meanwhile the other principal's calls are served from its own bucket, at once.
  const bystander = await Promise.all(
    Array.from({ length: 5 }, () => admin.unary('Revive', { roles: [] })),
  );
  const answers = await flood;
  assert.deepEqual(
    bystander.map((a) => a.code),
    Array<grpc.status>(5).fill(grpc.status.OK),
  );
  const served = answers.filter((a) => a.code === grpc.status.OK);
  const refused = answers.filter((a) => a.code === grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(served.length + refused.length, 40, 'every call served or refused');
  assert.ok(served.length >= 9 && served.length <= 11, `served ${String(served.length)}`);
  for (const r of refused)
    assert.match(r.details, /user "mallory" made more scheduler calls than allowed; retry in 1 s/);
  // The waiting calls came last, after the bystander's: it did not wait behind them.
  const lastServed = Math.max(...served.map((a) => a.at));
  const bystanderDone = Math.max(...bystander.map((a) => a.at));
  assert.ok(lastServed > bystanderDone, 'mallory’s queued calls ended after the bystander’s');

  // Each served call answered its 10 tasks; the refused ones wrote nothing.
  await until(() => updates() >= served.length * 10, 10_000, 'the served calls’ updates');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(updates(), served.length * 10);

  // mezzo_controller_framework_calls_paced_total
  const paced = await c.controller.core.m.frameworkCallsPaced.get();
  const count = (o: string) => paced.values.find((v) => v.labels.outcome === o)?.value ?? 0;
  assert.equal(count('refused'), refused.length);
  assert.ok(count('delayed') >= 5, `delayed ${String(count('delayed'))}`);
});

test('the Mesos HTTP API paces the same principal: 429 with Retry-After past the queue', async () => {
  const auth = `Basic ${Buffer.from(`mallory:${TOKENS.mallory}`).toString('base64')}`;
  // After the test above mallory's bucket may still owe; wait until it is full again.
  await new Promise((r) => setTimeout(r, (2 * LIMIT.burst * 1000) / LIMIT.ratePerSecond));
  const fw = await mesosFramework(c, auth, 'mesos-flood', closers);
  // 30 REVIVEs at once, 1 token each: 9 pass, 10 wait, the rest get 429.
  const answers = await fw.revives(30);
  const tooMany = answers.filter((a) => a.status === 429);
  const accepted = answers.filter((a) => a.status === 202);
  assert.equal(tooMany.length + accepted.length, 30);
  assert.ok(accepted.length >= 19 && accepted.length <= 21, `accepted ${String(accepted.length)}`);
  for (const a of tooMany) {
    assert.equal(a.headers['retry-after'], '1');
    assert.match(a.body, /user "mallory" made more scheduler calls than allowed/);
  }
});
