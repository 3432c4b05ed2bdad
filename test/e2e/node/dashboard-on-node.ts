/**
 * The dashboard's browser flows (test/support/dashboard-flows.ts, the same ones
 * test/browser/dashboard.test.ts runs against `mezzo dev`) against the chart's leader on
 * the e2e node, at its pod address over HTTPS. Chromium is told to accept the chart's
 * certificate (its CA is not in Chromium's store, and the pod address is not a name in
 * it); the flows' own API calls verify it against the chart's CA under the Service name.
 */
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, chromiumPrerequisite } from '../../support/browser.js';
import { DASHBOARD_FLOWS } from '../../support/dashboard-flows.js';
import { RELEASE } from './chart-clients.js';

/** Runs every dashboard flow against `baseUrl` with `token`; each flow is a subtest. */
export async function dashboardOnNode(
  t: TestContext,
  opts: { baseUrl: string; token: string; ca: Buffer },
): Promise<void> {
  if (!chromiumPrerequisite(t)) return;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--ignore-certificate-errors',
    ],
  });
  try {
    const target = {
      browser,
      baseUrl: opts.baseUrl,
      token: opts.token,
      tls: { ca: opts.ca, serverName: RELEASE.controllerName },
    };
    for (const [name, flow] of DASHBOARD_FLOWS) await t.test(name, () => flow(target));
  } finally {
    await browser.close();
  }
}
