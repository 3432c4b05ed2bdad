// Simulated agents started before `mezzo dev` is up find its token once it appears (its
// registration file is written when it starts) and register; they used to read the token
// once at start, found none, and were refused for ever.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { registerDevServer } from '../../../src/auth/client-token.js';
import { startSimAgents } from '../../../src/sim/index.js';
import { startController, until } from '../controller/support.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { tempDir } from '../../support/cleanup.js';
import { freePort } from '../../support/net.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('agents started before the controller and its token file register once both are there', async () => {
  const saved = { ...process.env };
  cleanup.push(() => {
    process.env = saved;
  });
  // No token from the environment: only a dev server's registration can give one.
  delete process.env.MEZZO_TOKEN;
  delete process.env.MEZZO_TOKEN_FILE;
  const home = tempDir('mezzo-home-');
  process.env.MEZZO_HOME = home;
  const port = await freePort();
  const address = `127.0.0.1:${String(port)}`;
  const sim = await startSimAgents({
    controller: address,
    count: 5,
    prefix: 'early',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.3,
  });
  cleanup.push(() => sim.close());
  const { controller } = await startController(undefined, port);
  cleanup.push(() => controller.stop());
  // Up, but no token anywhere yet: refused, as a client without a token must be.
  await until(
    () => sim.counters.registrations === 0 && controller.core.agents.size === 0,
    1_000,
    'nothing registered',
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(controller.core.agents.size, 0, 'no agent registered without a token');
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, TEST_TOKEN, { mode: 0o600 });
  const unregister = await registerDevServer([address], tokenFile);
  cleanup.push(unregister);
  await until(() => sim.registered() === 5, 15_000, 'every agent registered');
  assert.equal(controller.core.agents.size, 5);
});
