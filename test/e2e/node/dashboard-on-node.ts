/**
 * The dashboard's browser flows (test/support/dashboard-flows.ts, the same ones
 * test/browser/dashboard.test.ts runs against `mezzo dev`) against the chart's leader on
 * the e2e node, at its pod address over HTTPS. Chromium trusts exactly the leader's
 * certificate and nothing more: Node first verifies that certificate against the chart's
 * CA under the controller Service's name, then Chromium is given its key's pin
 * (`--ignore-certificate-errors-spki-list`; the CA is not in Chromium's store, and the pod
 * address is not a name in the certificate). The flows' own API calls verify it against
 * the chart's CA under the Service name too.
 */
import type { TestContext } from 'node:test';
import { chromiumPrerequisite, launchChromium, verifiedSpkiPin } from '../../support/browser.js';
import { DASHBOARD_FLOWS } from '../../support/dashboard-flows.js';
import { RELEASE } from './chart-clients.js';

/** Runs every dashboard flow against `baseUrl` (https) with `token`; each flow is a subtest. */
export async function dashboardOnNode(
  t: TestContext,
  opts: { baseUrl: string; token: string; ca: Buffer },
): Promise<void> {
  if (!chromiumPrerequisite(t)) return;
  const url = new URL(opts.baseUrl);
  const pin = await verifiedSpkiPin(
    url.hostname,
    Number(url.port || 443),
    opts.ca,
    RELEASE.controllerName,
  );
  const browser = await launchChromium([pin]);
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
