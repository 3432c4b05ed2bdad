// A framework never sits on an offer: the client gives back what its handler does not
// answer within the hold limit, what a rejected accept named, and every offer when
// nobody listens. Each case: framework A holds the lone agent's offer first, and
// framework B must get an offer for that agent — long before the controller's own offer
// timeout (10 minutes here), which is what used to free it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { Offer } from '../../../src/sdk/index.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import { startAgent, startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

let cluster: { controller: Controller; agent: Agent } | undefined;
async function shared(): Promise<{ controller: Controller; agent: Agent }> {
  if (cluster) return cluster;
  const { controller } = await startController(undefined, 0, { offerTimeoutMs: 600_000 });
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'hold-a');
  cleanup.push(() => agent.stop());
  cluster = { controller, agent };
  return cluster;
}

let names = 0;
function client(address: string, extra: Partial<ConstructorParameters<typeof SchedulerClient>[0]>) {
  const c = new SchedulerClient({
    address,
    framework: {
      id: '',
      name: `hold-${names}`,
      user: 'nobody',
      roles: [`hold-${names++}`],
      failover_timeout_seconds: 0,
    },
    ...extra,
  });
  cleanup.push(async () => {
    await c.teardown().catch(() => undefined);
    c.close();
  });
  return c;
}

// B records offers and answers none (it only has to see one).
async function bSeesAnOffer(address: string): Promise<void> {
  const b = client(address, {});
  const seen: Offer[] = [];
  b.on('offers', (list) => seen.push(...list));
  await b.start();
  await until(() => seen.length > 0, 10_000, 'framework B to get an offer');
  b.close();
}

test('an offer the handler never answers is declined after the hold limit', async () => {
  const { controller } = await shared();
  const a = client(controller.grpcAddress, { offerHoldLimitMs: 300 });
  const held: Offer[] = [];
  const released: string[] = [];
  a.on('offers', (list) => held.push(...list)); // and never answers them
  a.on('released', (ids, reason) => {
    released.push(...ids);
    assert.match(reason, /hold limit/);
  });
  await a.start();
  await until(() => held.length > 0, 10_000, 'framework A to hold an offer');
  await bSeesAnOffer(controller.grpcAddress);
  assert.ok(released.includes(held[0]?.id ?? ''), 'A gave back the offer it held');
  assert.equal(a.heldOffers, 0);
  a.close();
});

test('with declineRejectedAccepts a rejected accept declines its offers', async () => {
  const { controller } = await shared();
  const a = client(controller.grpcAddress, { declineRejectedAccepts: true });
  const errors: string[] = [];
  a.on('offers', (list) => {
    for (const o of list) {
      // No command: the controller rejects the whole accept (INVALID_ARGUMENT).
      a.accept(
        [o.id],
        [
          {
            type: 'LAUNCH',
            tasks: [{ task_id: `bad-${o.id}`, name: 'bad', agent_id: o.agent_id }],
          },
        ],
      ).catch((err: unknown) => errors.push(String(err)));
    }
  });
  await a.start();
  await until(() => errors.length > 0, 10_000, 'the rejected accept');
  assert.match(errors[0] ?? '', /has no command/);
  await bSeesAnOffer(controller.grpcAddress);
  a.close();
});

test('offers reaching a client with no offers handler are declined at once', async () => {
  const { controller } = await shared();
  const a = client(controller.grpcAddress, {});
  const released: string[] = [];
  a.on('released', (ids, reason) => {
    released.push(...ids);
    assert.equal(reason, 'no offers handler');
  });
  await a.start();
  await until(() => released.length > 0, 10_000, 'A to give back an offer');
  await bSeesAnOffer(controller.grpcAddress);
  a.close();
});
