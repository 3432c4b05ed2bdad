// The dashboard in real Chromium against a real `mezzo dev` (controller, agent and the
// built-in frameworks in one process): every page renders, in both themes; the New
// Application form shows the API's error next to its field, then creates an app seen
// running without a reload, and scales it; Roles shows the shares /state reports; a
// task's stdout tails and a kill shows live; two chained jobs from the New Job form are
// drawn as a graph and run when the parent is run now; every control is reachable with
// Tab; nothing overflows a phone's width. The flows live in test/support/dashboard-flows.ts
// and run against the chart's controller on the e2e node too.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumPrerequisite, launchChromium } from '../support/browser.js';
import { cleanCgroupTrees } from '../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../support/cleanup.js';
import { DASHBOARD_FLOWS, type DashboardTarget } from '../support/dashboard-flows.js';
import { devPrerequisite, spawnDev, type DevProcess } from '../support/dev-process.js';

const cgroupRoot = testCgroupRoot('dashboard');
let dev: DevProcess | undefined;
let browser: Browser | undefined;

function ready(t: TestContext): boolean {
  return devPrerequisite(t) && chromiumPrerequisite(t);
}

/** The dev token, once `mezzo dev` writes one (the authentication work adds it). */
function token(d: DevProcess): string | undefined {
  const file = join(d.workDir, 'token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

function target(): DashboardTarget {
  assert.ok(dev && browser);
  return { browser, baseUrl: dev.server, token: token(dev) };
}

before(async () => {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/chromium')) return;
  dev = await spawnDev({ cgroupRoot, workDir: tempDir('mezzo-dash-') });
  const d = dev;
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${d.server}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error('timed out waiting for mezzo dev to answer');
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (dev) {
    dev.process.kill('SIGTERM');
    await dev.exited;
  }
  // Tasks outlive `mezzo dev` by design.
  await cleanCgroupTrees(cgroupRoot);
});

for (const [name, flow] of DASHBOARD_FLOWS) {
  test(name, async (t) => {
    if (!ready(t)) return;
    await flow(target());
  });
}

// Checked once a page has been served (the flows above), as the first flow used to.
test('`mezzo dev` printed the dashboard URL with its token', (t) => {
  if (!ready(t)) return;
  assert.ok(dev);
  const devToken = token(dev);
  if (devToken) {
    assert.ok(dev.output.includes(`dashboard: http://127.0.0.1:${dev.port}/#token=${devToken}`));
  }
});
