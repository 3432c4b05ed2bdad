// The allocator's decisions and the completed frameworks in real Chromium against a real
// `mezzo dev`: a framework (the SDK over gRPC, with the dev token) that declines with a
// 30 s filter shows "offered" and "declined … refuse for 30 s" on its page, and a role at
// its quota limit shows "held back: role limit" there, live, without a reload; torn down,
// the framework moves to the Frameworks page's Completed table and its own page says why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerClient } from '../../src/sdk/scheduler-client.js';
import { waitForText } from '../support/browser.js';
import { DevDashboard, notReloaded } from './dev-dashboard.js';

const d = new DevDashboard('dash-decisions');
const clients: SchedulerClient[] = [];

before(() => d.start());
after(async () => {
  for (const c of clients) c.close();
  await d.stop();
});

function subscribe(name: string, role: string): SchedulerClient {
  const c = new SchedulerClient({
    address: d.grpcAddress,
    token: d.token,
    framework: { id: '', name, user: 'nobody', roles: [role], failover_timeout_seconds: 60 },
    // Torn down means gone: no resubscription with the old ID afterwards.
    reconnect: false,
  });
  clients.push(c);
  return c;
}

test('a framework page shows its offers and declines with their filter, live', async (t) => {
  if (!DevDashboard.ready(t)) return;
  const fw = subscribe('decliner', 'ui-dec');
  fw.on('offers', (offers) => {
    fw.decline(
      offers.map((o) => o.id),
      30,
    ).catch(() => undefined);
  });
  const id = await fw.start();
  const { page, errors } = await d.visit(`frameworks/${encodeURIComponent(id)}`);
  const table = '#decisions table[aria-label="Allocator decisions"]';
  await waitForText(page, table, /declined/);
  await waitForText(page, table, /offered/);
  await waitForText(page, table, /refuse for 30 s/);
  await notReloaded(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a role at its quota limit is shown held back, then the framework as completed', async (t) => {
  if (!DevDashboard.ready(t)) return;
  await d.api('/apply', {
    method: 'POST',
    body: JSON.stringify([
      {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'Role',
        metadata: { name: 'ui-capped' },
        spec: { quota: { limit: { cpus: 0.5 } } },
      },
    ]),
  });
  const fw = subscribe('capped-ui', 'ui-capped');
  // It keeps its offer: offered counts against the limit, so the role is then at it.
  fw.on('offers', () => undefined);
  const id = await fw.start();
  const { page, errors } = await d.visit(`frameworks/${encodeURIComponent(id)}`);
  await waitForText(page, '#decisions', /held back: role limit/);
  await waitForText(page, '#decisions', /role ui-capped is at its quota limit/);

  await page.evaluate(`location.hash = '#/frameworks'`);
  await fw.teardown();
  const completed = 'table[aria-label="Completed frameworks"]';
  await waitForText(page, completed, /capped-ui/);
  await waitForText(page, completed, /teardown requested/);
  await page.evaluate(
    `location.hash = ${JSON.stringify(`#/frameworks/${encodeURIComponent(id)}`)}`,
  );
  await waitForText(page, '#framework-completed', /teardown requested/).catch(
    async (err: unknown) => {
      throw new Error(`${String(err)}; the page shows: ${await page.locator('main').innerText()}`);
    },
  );
  await notReloaded(page);
  assert.deepEqual(errors, []);
  await page.close();
});
