/**
 * The dashboard's browser flows, each against any controller: a `mezzo dev`
 * (test/browser/dashboard.test.ts) or the chart's controller on the e2e node
 * (test/e2e/node/). A flow takes the browser, the controller's base URL and the bearer
 * token, opens its pages with the token in the fragment (as `mezzo dev` prints it) and
 * asserts what a person would see; the controller's own API (for /state and set-up)
 * is called with the same token, over TLS with the given CA when there is one.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { controllerFetch } from '../../src/cli/commands/http-client.js';
import type { ClientTls } from '../../src/cli/commands/endpoint.js';
import { inPage, openPage, waitForText } from './browser.js';

/** The controller a flow drives. */
export interface DashboardTarget {
  browser: Browser;
  /** e.g. http://127.0.0.1:5050 or https://10.244.0.7:5050 */
  baseUrl: string;
  /** The bearer token (the page reads it from `#token=`); undefined: none. */
  token: string | undefined;
  /** How Node-side calls verify an HTTPS controller. */
  tls?: ClientTls;
}

interface State {
  frameworks: { id: string; name: string }[];
  tasks: { id: string; state: string }[];
  shares: Record<string, number>;
}

/** The dashboard's pages and their titles. */
export const PAGES: [string, string][] = [
  ['overview', 'Overview'],
  ['frameworks', 'Frameworks'],
  ['agents', 'Agents'],
  ['tasks', 'Tasks'],
  ['roles', 'Roles'],
  ['offers', 'Offers'],
  ['apps', 'Apps'],
  ['schedules', 'Schedules'],
];

/** Calls the controller's API with the target's token; asserts a 2xx. */
export async function api(
  target: DashboardTarget,
  path: string,
  init: RequestInit = {},
): Promise<unknown> {
  const headers: Record<string, string> = {
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  };
  const res = await controllerFetch(`${target.baseUrl}${path}`, { ...init, headers }, target.tls);
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** Polls `get` until it returns a value (60 s at most). */
export async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens `route` of the dashboard (with the token in the fragment, as `mezzo dev` prints). */
export async function visit(
  target: DashboardTarget,
  route: string,
  viewport?: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const t = target.token;
  const r = await openPage(
    target.browser,
    `${target.baseUrl}/#${t ? `token=${t}` : '/'}`,
    viewport,
  );
  await waitForText(r.page, '#stream-status', /live/);
  await r.page.evaluate(`location.hash = ${JSON.stringify(`#/${route}`)}`);
  // A marker that a reload would lose: what the test sees next came through the stream.
  await r.page.evaluate('window.__noReload = true');
  return r;
}

async function notReloaded(page: Page): Promise<void> {
  assert.equal(await inPage<boolean>(page, 'window.__noReload === true'), true);
}

/** Every page renders from the stream, a deep link works, the theme toggles. */
export async function pagesFlow(target: DashboardTarget): Promise<void> {
  const { page, errors } = await visit(target, 'overview');
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
}

/** New Application: an error next to its field, then the app runs live and scales. */
export async function newApplicationFlow(target: DashboardTarget): Promise<void> {
  const { page, errors } = await visit(target, 'apps');
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
      const s = (await api(target, '/state')) as State;
      return s.frameworks.find((f) => f.name === 'apps');
    });
    await until('the shares of the page and of /state to agree', async () => {
      const s = (await api(target, '/state')) as State;
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
}

/** A task's stdout tails in the sandbox browser; its kill shows without a reload. */
export async function taskLogAndKillFlow(target: DashboardTarget): Promise<void> {
  // Not "ticker": the demo's Task of that name (examples/demo.yaml, counting from 1) runs
  // in the same namespace, its task IDs start with the same `default.ticker.`, and a flow
  // that opened its page waited for a "tick 0" that never came.
  await api(target, '/apply', {
    method: 'POST',
    body: JSON.stringify([
      {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'App',
        metadata: { name: 'log-ticker', namespace: 'default' },
        spec: {
          command: 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done',
          instances: 1,
          cpus: 0.1,
          mem: '32Mi',
        },
      },
    ]),
  });
  const task = await until('a running log-ticker task', async () => {
    const s = (await api(target, '/state')) as State;
    return s.tasks.find(
      (x) => x.id.startsWith('default.log-ticker.') && x.state === 'TASK_RUNNING',
    );
  });
  const { page, errors } = await visit(target, `tasks/${encodeURIComponent(task.id)}`);
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
    await api(target, '/objects?kind=App&name=log-ticker&namespace=default', { method: 'DELETE' });
  }
}

/** New Job: two chained jobs drawn as a graph; run now runs the chain. */
export async function newJobFlow(target: DashboardTarget): Promise<void> {
  const { page, errors } = await visit(target, 'schedules');
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
}

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

/** Every control on the pages with forms is reachable with the keyboard. */
export async function keyboardFlow(target: DashboardTarget): Promise<void> {
  for (const route of ['apps', 'schedules', 'tasks']) {
    const { page, errors } = await visit(target, route);
    try {
      await waitForText(page, 'main h2', /\w/);
      assert.deepEqual(await unreachable(page), [], `${route}: controls Tab never reached`);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }
}

/** Every page fits a phone's width. */
export async function phoneWidthFlow(target: DashboardTarget): Promise<void> {
  const { page, errors } = await visit(target, 'overview', { width: 390, height: 844 });
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
}

/** Every flow, in the order the dashboard's own test runs them. */
export const DASHBOARD_FLOWS: [string, (target: DashboardTarget) => Promise<void>][] = [
  ['every page renders from the stream, deep links work, the theme toggles', pagesFlow],
  [
    'New Application: an error next to its field, then the app runs live and scales',
    newApplicationFlow,
  ],
  [
    "a task's stdout tails in the sandbox browser; its kill shows without a reload",
    taskLogAndKillFlow,
  ],
  ['New Job: two chained jobs drawn as a graph; run now runs the chain', newJobFlow],
  ['every control on the pages with forms is reachable with the keyboard', keyboardFlow],
  ["every page fits a phone's width", phoneWidthFlow],
];
