// The dashboard in real Chromium against a real `mezzo dev` (controller, agent and the
// built-in frameworks in one process): every page renders, in both themes; the New
// Application form shows the API's error next to its field, then creates an app seen
// running without a reload, and scales it; Roles shows the shares /state reports; a
// task's stdout tails and a kill shows live; two chained jobs from the New Job form are
// drawn as a graph and run when the parent is run now; every control is reachable with
// Tab; nothing overflows a phone's width.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  chromiumPrerequisite,
  inPage,
  launchChromium,
  openPage,
  waitForText,
} from '../support/browser.js';
import { cleanCgroupTrees } from '../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../support/cleanup.js';
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

function headers(d: DevProcess, body: boolean): Record<string, string> {
  const t = token(d);
  return {
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...(t ? { authorization: `Bearer ${t}` } : {}),
  };
}

async function api(path: string, init: RequestInit = {}): Promise<unknown> {
  assert.ok(dev);
  const res = await fetch(`${dev.server}${path}`, {
    ...init,
    headers: headers(dev, init.body !== undefined),
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

interface State {
  frameworks: { id: string; name: string }[];
  tasks: { id: string; state: string }[];
  shares: Record<string, number>;
}

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens `route` of the dashboard (with the token in the fragment, as `mezzo dev` prints). */
async function visit(route: string, viewport?: { width: number; height: number }) {
  assert.ok(dev && browser);
  const t = token(dev);
  const r = await openPage(browser, `${dev.server}/#${t ? `token=${t}` : '/'}`, viewport);
  await waitForText(r.page, '#stream-status', /live/);
  await r.page.evaluate(`location.hash = ${JSON.stringify(`#/${route}`)}`);
  // A marker that a reload would lose: what the test sees next came through the stream.
  await r.page.evaluate('window.__noReload = true');
  return r;
}

async function notReloaded(page: Page): Promise<void> {
  assert.equal(await inPage<boolean>(page, 'window.__noReload === true'), true);
}

before(async () => {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/chromium')) return;
  dev = await spawnDev({ cgroupRoot, workDir: tempDir('mezzo-dash-') });
  const d = dev;
  await until('mezzo dev to answer', async () =>
    fetch(`${d.server}/healthz`)
      .then((r) => (r.ok ? true : undefined))
      .catch(() => undefined),
  );
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

const PAGES: [string, string][] = [
  ['overview', 'Overview'],
  ['frameworks', 'Frameworks'],
  ['agents', 'Agents'],
  ['tasks', 'Tasks'],
  ['roles', 'Roles'],
  ['offers', 'Offers'],
  ['apps', 'Apps'],
  ['schedules', 'Schedules'],
];

test('every page renders from the stream, deep links work, the theme toggles', async (t) => {
  if (!ready(t)) return;
  assert.ok(dev);
  // With authentication, `mezzo dev` prints the dashboard's URL with its token, which is
  // what visit() opens.
  const devToken = token(dev);
  if (devToken) {
    assert.ok(dev.output.includes(`dashboard: http://127.0.0.1:${dev.port}/#token=${devToken}`));
  }
  const { page, errors } = await visit('overview');
  try {
    await waitForText(page, '#controller-id', /^[0-9a-f-]{36}$/);
    await waitForText(page, '#totals [data-resource=cpus]', /total/);
    for (const [route, title] of PAGES) {
      await page.evaluate(`location.hash = '#/${route}'`);
      await waitForText(page, 'main h2', new RegExp(`^${title}$`));
    }
    // A deep link: the built-in frameworks listed on their page.
    await page.evaluate(`location.hash = '#/frameworks'`);
    await waitForText(page, 'main', /apps[\s\S]*schedules|schedules[\s\S]*apps/);
    const before = await inPage<string>(page, 'document.documentElement.dataset.theme');
    await page.click('#theme');
    const afterToggle = await inPage<string>(page, 'document.documentElement.dataset.theme');
    assert.notEqual(afterToggle, before);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('New Application: an error next to its field, then the app runs live and scales', async (t) => {
  if (!ready(t)) return;
  const { page, errors } = await visit('apps');
  try {
    await page.fill('#new-app-name', 'web');
    await page.fill('#new-app-command', 'exec python3 -m http.server $PORT --bind 127.0.0.1');
    await page.fill('#new-app-cpus', '0');
    await page.click('#new-app button[type=submit]');
    await waitForText(page, '#new-app-cpus-error', /cpus must be at least/);

    await page.fill('#new-app-cpus', '0.1');
    await page.click('#new-app button[type=submit]');
    await waitForText(page, '[data-running="web"]', /^1$/);
    await notReloaded(page);

    await page.fill('[data-scale="web"]', '2');
    await page.click('button[data-action=scale]');
    await waitForText(page, '[data-running="web"]', /^2$/);
    await notReloaded(page);

    // Roles: the apps framework's share is the one /state reports.
    await page.evaluate(`location.hash = '#/roles'`);
    const apps = await until('the apps framework', async () => {
      const s = (await api('/state')) as State;
      return s.frameworks.find((f) => f.name === 'apps');
    });
    await until('the shares of the page and of /state to agree', async () => {
      const s = (await api('/state')) as State;
      const shown = await inPage<string | null>(
        page,
        `document.querySelector('[data-framework="${apps.id}"]')?.dataset.share ?? null`,
      );
      const share = s.shares[apps.id];
      return share !== undefined && share > 0 && shown === String(share) ? true : undefined;
    });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test("a task's stdout tails in the sandbox browser; its kill shows without a reload", async (t) => {
  if (!ready(t)) return;
  await api('/apply', {
    method: 'POST',
    body: JSON.stringify([
      {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'App',
        metadata: { name: 'ticker', namespace: 'default' },
        spec: {
          command: 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done',
          instances: 1,
          cpus: 0.1,
          mem: '32Mi',
        },
      },
    ]),
  });
  const task = await until('a running ticker task', async () => {
    const s = (await api('/state')) as State;
    return s.tasks.find((x) => x.id.startsWith('default.ticker.') && x.state === 'TASK_RUNNING');
  });
  const { page, errors } = await visit(`tasks/${encodeURIComponent(task.id)}`);
  try {
    await waitForText(page, '#log', /tick 0\n/);
    // Lines written after the page opened arrive while it stays open.
    await waitForText(page, '#log', /tick 15\n/);
    await waitForText(page, '#task-state', /running/);
    await page.click('text=Kill task');
    await waitForText(page, '#task-state', /killed/);
    await notReloaded(page);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await api('/objects?kind=App&name=ticker&namespace=default', { method: 'DELETE' });
  }
});

test('New Job: two chained jobs drawn as a graph; run now runs the chain', async (t) => {
  if (!ready(t)) return;
  const { page, errors } = await visit('schedules');
  try {
    await page.fill('#new-job-name', 'extract');
    await page.fill('#new-job-command', 'echo extracted');
    await page.fill('#new-job-schedule', 'R/2030-01-01T00:00:00Z/P1D');
    await page.fill('#new-job-owner', 'data@example.com');
    await page.click('#new-job button[type=submit]');
    await waitForText(page, '#total-jobs', /^1$/);
    // The parents list follows the jobs that exist.
    await page.waitForSelector('#new-job-parents option[value=extract]');
    await page.fill('#new-job-name', 'load');
    await page.fill('#new-job-command', 'echo loaded');
    await page.selectOption('#new-job-parents', ['extract']);
    await page.click('#new-job button[type=submit]');
    await waitForText(page, '#total-jobs', /^2$/);
    await page.waitForSelector('#graph g[data-node=extract]');
    await page.waitForSelector('#graph g[data-node=load]');
    // A straight edge has no width: present, not "visible" to Playwright.
    await page.waitForSelector('#graph path[data-edge="extract->load"]', { state: 'attached' });

    await page.click('#run-extract');
    await page.waitForSelector('#graph g[data-node=extract][data-state=Succeeded]');
    await page.waitForSelector('#graph g[data-node=load][data-state=Succeeded]');
    await waitForText(page, '#failed-jobs', /^0$/);
    await notReloaded(page);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

/** Tabs through the page; returns the controls never focused. */
async function unreachable(page: Page): Promise<string[]> {
  const describe = `(el) => el.id ? '#' + el.id : el.tagName + ':' + (el.getAttribute('href') ?? el.textContent.trim())`;
  const all = await inPage<string[]>(
    page,
    `[...document.querySelectorAll('a[href], button, input, select, textarea')]
      .filter((el) => !el.disabled && el.offsetParent !== null).map(${describe})`,
  );
  const reached = new Set<string>();
  await page.evaluate('document.activeElement?.blur()');
  for (let i = 0; i < all.length + 10; i++) {
    await page.keyboard.press('Tab');
    reached.add(
      await inPage<string>(page, `(${describe})(document.activeElement ?? document.body)`),
    );
  }
  return all.filter((d) => !reached.has(d));
}

test('every control on the pages with forms is reachable with the keyboard', async (t) => {
  if (!ready(t)) return;
  for (const route of ['apps', 'schedules', 'tasks']) {
    const { page, errors } = await visit(route);
    try {
      await waitForText(page, 'main h2', /\w/);
      assert.deepEqual(await unreachable(page), [], `${route}: controls Tab never reached`);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }
});

test("every page fits a phone's width", async (t) => {
  if (!ready(t)) return;
  const { page, errors } = await visit('overview', { width: 390, height: 844 });
  try {
    for (const [route, title] of PAGES) {
      await page.evaluate(`location.hash = '#/${route}'`);
      await waitForText(page, 'main h2', new RegExp(`^${title}$`));
      const width = await inPage<number>(page, 'document.documentElement.scrollWidth');
      assert.ok(width <= 390, `${route} is ${width} px wide on a 390 px screen`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
