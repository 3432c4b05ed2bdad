// wantOffers outlives a subscription: a framework that suppressed offers, lost its stream
// and wants offers again by the time it resubscribes gets them, though the controller it
// returns to still holds the suppression from before. And a wish sticks: a Revive is not
// overtaken by the Suppress before it, nor lost when the controller refuses it once; and a
// call its caller gave up on (its deadline passed) is not applied late.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessControl } from '../../../src/auth/types.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { testAccess } from '../../support/auth.js';
import { framework, startAgent, startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a wish for offers made while disconnected is told after resubscribing', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'want-a');
  cleanup.push(() => agent.stop());
  const fw = framework(controller.grpcAddress, 'wanting', ['w']);
  cleanup.push(() => fw.close());
  let subscriptions = 0;
  let offers = 0;
  fw.on('subscribed', () => subscriptions++);
  fw.on('offers', (list) => {
    offers += list.length;
    // The stream may be gone by the time the decline goes out.
    fw.decline(
      list.map((o) => o.id),
      0,
    ).catch(() => undefined);
  });
  await fw.start();
  await fw.wantOffers(false);
  const record = controller.core.frameworks.get(fw.id);
  assert.ok(record);
  // The controller drops the stream; the framework changes its mind while it is away.
  const disconnected = new Promise<void>((resolve) => fw.once('disconnected', () => resolve()));
  record.stream?.end();
  await disconnected;
  await fw.wantOffers(true);
  await until(() => subscriptions === 2, 10_000, 'the resubscription');
  const before = offers;
  await until(() => offers > before, 10_000, 'offers after the resubscription');
});

/**
 * The test token's access, with two faults an authentication backend shows: the next
 * authentication delayed by `delayNextMs` (a TokenReview round trip on a cache miss), or
 * every one refused while `down` (a TokenReview that failed: refused, fail closed).
 */
function faultyAccess() {
  const faults = { delayNextMs: 0, down: false };
  const access: AccessControl = {
    authorizer: testAccess.authorizer,
    authenticator: {
      async authenticate(token) {
        if (faults.down) return { ok: false, reason: 'token review failed: apiserver unavailable' };
        const delay = faults.delayNextMs;
        faults.delayNextMs = 0;
        if (delay > 0) await sleep(delay);
        return testAccess.authenticator.authenticate(token);
      },
    },
  };
  return { faults, access };
}

/**
 * A controller with {@link faultyAccess} (its faults returned), an agent, and a subscribed
 * framework counting offers and declining each for an hour: once its first offer is
 * declined it gets none until a Revive clears the filter, and no call of its is in flight
 * for a fault to meet but the ones under test.
 */
async function declining(name: string) {
  const { faults, access } = faultyAccess();
  const { controller } = await startController(undefined, 0, { access });
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', `${name}-a`);
  cleanup.push(() => agent.stop());
  const fw: SchedulerClient = framework(controller.grpcAddress, name, [name]);
  cleanup.push(() => fw.close());
  const seen = { offers: 0 };
  fw.on('offers', (list) => {
    seen.offers += list.length;
    fw.decline(
      list.map((o) => o.id),
      3600,
    ).catch(() => undefined);
  });
  await fw.start();
  await until(() => seen.offers > 0, 10_000, 'the first offer');
  await until(
    () => controller.core.offers.ofFramework(fw.id).length === 0,
    10_000,
    'the first offer declined',
  );
  return { fw, seen, faults };
}

test('a Revive sent while the Suppress before it is authenticated is applied after it', async () => {
  const { fw, seen, faults } = await declining('overtaken');
  // The Suppress waits 300 ms for its authentication; the Revive after it would wait none,
  // and applied first it would leave the framework suppressed.
  faults.delayNextMs = 300;
  // Counted before the calls: the offer the Revive brings can reach the framework before
  // the Revive's own answer does (another stream), and is then declined for an hour.
  const before = seen.offers;
  await Promise.all([fw.wantOffers(false), fw.wantOffers(true)]);
  await until(() => seen.offers > before, 10_000, 'offers after both calls were answered');
});

test('a Revive the controller refused is retried until it holds', async () => {
  const { fw, seen, faults } = await declining('retried');
  await fw.wantOffers(false);
  faults.down = true;
  await assert.rejects(fw.wantOffers(true), /UNAUTHENTICATED|authentication/);
  faults.down = false;
  const before = seen.offers;
  // Nothing else asks again: no offer comes to a suppressed framework to prompt it.
  await until(() => seen.offers > before, 10_000, 'offers once the Revive was retried');
});

test('a Revive whose caller gave up while it was authenticated is not applied', async () => {
  const { fw, seen, faults } = await declining('abandoned');
  await fw.wantOffers(false);
  // Its authentication takes 1 s; the caller's deadline is 200 ms.
  faults.delayNextMs = 1_000;
  await assert.rejects(fw.revive([], 200), /DEADLINE_EXCEEDED|[Dd]eadline/);
  const before = seen.offers;
  // The authentication has ended, and allocation passes have run, well within this.
  await sleep(2_500);
  assert.equal(seen.offers, before, 'still suppressed: the abandoned Revive changed nothing');
});
