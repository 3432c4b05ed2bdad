// wantOffers outlives a subscription: a framework that suppressed offers, lost its stream
// and wants offers again by the time it resubscribes gets them, though the controller it
// returns to still holds the suppression from before.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
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
