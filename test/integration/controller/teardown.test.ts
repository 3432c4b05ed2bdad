// A framework torn down is over, as in Mesos: its ID does not subscribe again, whether its
// own SDK client reconnects (it did, and came back as a new framework with the old ID)
// or another client names it. Neither retries a refusal that cannot change.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { framework, startController, until } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a torn-down framework ID is refused with FAILED_PRECONDITION and not retried', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const fw = framework(controller.grpcAddress, 'short-lived', ['r']);
  cleanup.push(() => fw.close());
  const reasons: string[] = [];
  fw.on('disconnected', (r) => reasons.push(r));
  await fw.start();
  const id = [...controller.core.frameworks.keys()][0] ?? '';
  assert.ok(id, 'subscribed');
  await fw.teardown();
  await until(() => !controller.core.frameworks.has(id), 5_000, 'the teardown');
  // Its client reconnects by itself with its ID (reconnect is on by default)...
  await until(() => reasons.some((r) => r.includes('was removed')), 10_000, 'the refusal');
  assert.equal(controller.core.frameworks.has(id), false, 'the old ID did not come back');

  // ...and so does any other client naming the ID.
  const again = framework(controller.grpcAddress, 'impostor', ['r'], 60, id);
  cleanup.push(() => again.close());
  const refused: string[] = [];
  again.on('disconnected', (r) => refused.push(r));
  again.start().catch(() => undefined);
  await until(() => refused.length > 0, 10_000, 'the second refusal');
  assert.match(refused[0] ?? '', new RegExp(`framework ${id} was removed`));
  // One refusal each: a FAILED_PRECONDITION is not retried.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(refused.length, 1);
  assert.equal(reasons.filter((r) => r.includes('was removed')).length, 1);
  assert.equal(controller.core.frameworks.size, 0);
});
