/**
 * The page's own cost at the size, without a controller behind it: a stand-in
 * server serves the dashboard's real shell and modules (dashboardRoutes) and a stream
 * whose snapshot holds `AGENTS` agents, `FRAMEWORKS` frameworks, `TASKS` tasks and one
 * offer per agent (synthesized, shaped as dashboard-view.ts shapes them), then a delta
 * each second. Headless Chromium is timed as in render.ts (first render, each page after
 * a navigation, a filter keystroke, a redraw, opening a task), 3 times each. What a
 * change to the page buys shows here in seconds, where render.ts needs minutes of load
 * and a controller whose own cost varies with the machine. Prints one JSON object.
 */
import { cpus, loadavg } from 'node:os';
import type { ServerResponse } from 'node:http';
import { chromium, type Page } from 'playwright-core';
import { dashboardRoutes } from '../../src/controller/http/dashboard-routes.js';
import { createHttpApp, listenHttp } from '../../src/shared/http/server.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';

const AGENTS = Number(process.env.AGENTS ?? 1000);
const FRAMEWORKS = Number(process.env.FRAMEWORKS ?? 200);
const TASKS = Number(process.env.TASKS ?? 10_000);
const REPEAT = 3;
const CHROMIUM = process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium';
const PAGES = ['frameworks', 'agents', 'tasks', 'roles', 'offers', 'apps', 'schedules'];

type Items = Record<string, Record<string, unknown>>;

/** The snapshot: every collection the page reads, by ID. */
function snapshot(now: number): Record<string, Items> {
  const view: Record<string, Items> = {
    controller: {
      controller: {
        id: 'stand-in',
        version: 'bench',
        startedAt: now,
        electedAt: now,
        totals: { cpus: { total: AGENTS * 16, used: TASKS / 10, offered: 0, idle: 0 } },
      },
    },
    frameworks: {},
    completed: {},
    agents: {},
    tasks: {},
    offers: {},
    roles: {},
    apps: {},
    schedules: {},
  };
  const set = (c: string, id: string, item: Record<string, unknown>) => {
    const into = view[c];
    if (into) into[id] = { id, ...item };
  };
  for (let i = 0; i < AGENTS; i++) {
    set('agents', `agent-${i}`, {
      hostname: `sim-${i}`,
      state: 'active',
      attributes: { zone: 'a' },
      total: { cpus: 16, mem: 65536 },
      allocated: { cpus: 1, mem: 320 },
      tasks: Math.round(TASKS / AGENTS),
    });
    set('offers', `offer-${i}`, {
      frameworkId: `fw-${i % FRAMEWORKS}`,
      agentId: `agent-${i}`,
      role: `role-${i % 20}`,
      resources: 'cpus:15; mem:64000',
      since: now,
    });
  }
  for (let i = 0; i < FRAMEWORKS; i++)
    set('frameworks', `fw-${i}`, {
      name: `bench-${i}`,
      user: 'nobody',
      roles: [`role-${i % 20}`],
      connected: true,
      registeredAt: now,
      tasks: Math.round(TASKS / FRAMEWORKS),
      allocated: { cpus: 5, mem: 1600 },
      share: 0.0003,
    });
  for (let r = 0; r < 20; r++) {
    const fws = Array.from({ length: FRAMEWORKS }, (_, i) => `fw-${i}`).filter(
      (_, i) => i % 20 === r,
    );
    set('roles', `role-${r}`, { name: `role-${r}`, weight: 1, consumed: {}, frameworks: fws });
  }
  for (let i = 0; i < TASKS; i++) {
    const id = `b${i % FRAMEWORKS}-t${Math.floor(i / FRAMEWORKS)}`;
    set('tasks', id, {
      name: `bench-${id}`,
      frameworkId: `fw-${i % FRAMEWORKS}`,
      agentId: `agent-${i % AGENTS}`,
      state: 'TASK_RUNNING',
      resources: 'cpus:0.1; mem:32',
    });
  }
  return view;
}

function stats(xs: number[]): { median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number | undefined) => Math.round((x ?? 0) * 10) / 10;
  return { median: r(s[Math.floor(s.length / 2)]), max: r(s[s.length - 1]) };
}

/** Runs `script` in the page and times it to the next frame. */
function timed(page: Page, script: string): Promise<number> {
  return page.evaluate<number>(`(async () => { const t = performance.now(); ${script};
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t; })()`);
}

async function main(): Promise<void> {
  const view = snapshot(Date.now());
  const body = `event: snapshot\ndata: ${JSON.stringify(view)}\n\n`;
  const app = createHttpApp({
    boundary: { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'bench' },
  });
  dashboardRoutes(app);
  const streams = new Set<ServerResponse>();
  app.get('/events', (_req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(body);
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  // One changed task a second, as a live cluster's stream brings.
  let n = 0;
  const ticker = setInterval(() => {
    const id = `b${n++ % FRAMEWORKS}-t0`;
    const delta = { upsert: { tasks: { [id]: { ...view.tasks?.[id], message: String(n) } } } };
    for (const res of streams) res.write(`event: delta\ndata: ${JSON.stringify(delta)}\n\n`);
  }, 1000);
  const { server, port } = await listenHttp(app, '127.0.0.1', 0);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const first: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      await page.goto(`${base}/#token=bench`);
      await page.waitForFunction(
        `document.querySelector('#stream-status')?.textContent === 'live' && [...document.querySelectorAll('main .card')].some((c) => c.textContent.startsWith('Running tasks') && Number(c.querySelector('.big')?.textContent) === ${TASKS})`,
        undefined,
        { polling: 'raf', timeout: 60_000 },
      );
      first.push(await page.evaluate<number>('performance.now()'));
      await page.close();
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${base}/#token=bench`);
    await page.waitForFunction(`document.querySelector('#stream-status')?.textContent === 'live'`);
    const navigation: Record<string, { median: number; max: number }> = {};
    for (const p of PAGES) {
      const xs: number[] = [];
      for (let r = 0; r < REPEAT; r++) {
        await timed(page, `location.hash = '#/overview'`);
        xs.push(await timed(page, `location.hash = '#/${p}'`));
      }
      navigation[p] = stats(xs);
    }
    await timed(page, `location.hash = '#/tasks'`);
    const filter: number[] = [];
    for (const text of ['b1', 'b17', 'b17-', 'b17-t4', ''])
      filter.push(
        await timed(
          page,
          `const i = document.querySelector('#task-filter'); i.value = ${JSON.stringify(text)}; i.dispatchEvent(new Event('input'))`,
        ),
      );
    const redraw: number[] = [];
    for (let r = 0; r < REPEAT; r++)
      redraw.push(await timed(page, `window.dispatchEvent(new Event('mezzo:redraw'))`));
    const open: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      await timed(page, `location.hash = '#/tasks'`);
      open.push(await timed(page, `location.hash = '#/tasks/b7-t3'`));
    }
    console.log(
      JSON.stringify({
        bench: 'dashboard-page-only',
        agents: AGENTS,
        frameworks: FRAMEWORKS,
        tasks: TASKS,
        offers: AGENTS,
        snapshotBytes: Buffer.byteLength(body),
        firstRenderMs: stats(first),
        navigationMs: navigation,
        tasksFilterKeystrokeMs: stats(filter),
        tasksRedrawPerDeltaMs: stats(redraw),
        openOneTaskMs: stats(open),
        repeats: REPEAT,
        machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) },
      }),
    );
  } finally {
    clearInterval(ticker);
    await browser.close();
    for (const res of streams) res.destroy();
    await new Promise((r) => server.close(r));
  }
}

await main();
