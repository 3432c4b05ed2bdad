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
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { ServerResponse } from 'node:http';
import { chromium } from 'playwright-core';
import { FIRST_RENDER_STEPS, interactions, navigate, stats } from './harness/page-timing.js';
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

/** IDs shaped as the controller makes them: a prefix and a UUID. */
const uuidLike = (prefix: string, i: number) =>
  `${prefix}-${randomUUID().slice(0, 28)}${String(i).padStart(8, '0')}`;

/**
 * The snapshot: every collection the page reads, by ID, with the fields and ID shapes
 * dashboard-view.ts gives them (UUID-shaped framework, agent and offer IDs, roles on
 * tasks), so its size is that of a real controller's at this size (2.8–3.0 MB in
 * render.ts's runs; 1.8 MB before the IDs were shaped so).
 */
function snapshot(now: number): Record<string, Items> {
  const view: Record<string, Items> = {
    controller: {
      controller: {
        id: randomUUID(),
        version: 'bench',
        startedAt: now,
        electedAt: now,
        totals: {
          cpus: { total: AGENTS * 16, used: TASKS / 10, offered: AGENTS * 15, idle: 0 },
          mem: { total: AGENTS * 65536, used: TASKS * 32, offered: AGENTS * 64000, idle: 0 },
        },
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
  const agentIds = Array.from({ length: AGENTS }, (_, i) => uuidLike('agent', i));
  const frameworkIds = Array.from({ length: FRAMEWORKS }, (_, i) => uuidLike('framework', i));
  const agentId = (i: number) => agentIds[i % AGENTS] ?? '';
  const frameworkId = (i: number) => frameworkIds[i % FRAMEWORKS] ?? '';
  for (let i = 0; i < AGENTS; i++) {
    set('agents', agentId(i), {
      hostname: `sim-${i}`,
      state: 'active',
      attributes: { zone: 'a' },
      total: { cpus: 16, mem: 65536, disk: 0 },
      allocated: { cpus: 1, mem: 320 },
      tasks: Math.round(TASKS / AGENTS),
    });
    set('offers', uuidLike('offer', i), {
      frameworkId: frameworkId(i),
      agentId: agentId(i),
      role: `role-${i % 20}`,
      resources: 'cpus:15; mem:64000',
      since: now,
    });
  }
  for (let i = 0; i < FRAMEWORKS; i++)
    set('frameworks', frameworkId(i), {
      name: `bench-${i}`,
      user: 'nobody',
      principal: 'admin',
      roles: [`role-${i % 20}`],
      connected: true,
      registeredAt: now,
      tasks: Math.round(TASKS / FRAMEWORKS),
      allocated: { cpus: 5, mem: 1600 },
      share: 0.0003,
    });
  for (let r = 0; r < 20; r++) {
    const fws = frameworkIds.filter((_, i) => i % 20 === r);
    set('roles', `role-${r}`, {
      name: `role-${r}`,
      weight: 1,
      consumed: {},
      share: 0.01,
      frameworks: fws,
    });
  }
  for (let i = 0; i < TASKS; i++) {
    const id = `b${i % FRAMEWORKS}-t${Math.floor(i / FRAMEWORKS)}`;
    set('tasks', id, {
      name: `bench-${id}`,
      frameworkId: frameworkId(i),
      agentId: agentId(i),
      role: `role-${i % 20}`,
      state: 'TASK_RUNNING',
      resources: 'cpus:0.1; mem:32',
    });
  }
  return view;
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
    // Drawn from the snapshot: the Overview's Running tasks card shows every task.
    const drawn = `document.querySelector('#stream-status')?.textContent === 'live' && [...document.querySelectorAll('main .card')].some((c) => c.textContent.startsWith('Running tasks') && Number(c.querySelector('.big')?.textContent) === ${TASKS})`;
    const first: number[] = [];
    // The Tasks page opened at once after the first render: its module may still be
    // loading then (every page but the Overview is imported after the first render).
    const firstTasks: number[] = [];
    // When each step of the first render ended (ms from navigation start).
    const marks = new Map<string, number[]>();
    for (let r = 0; r < REPEAT; r++) {
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      await page.goto(`${base}/#token=bench`);
      await page.waitForFunction(drawn, undefined, { polling: 'raf', timeout: 60_000 });
      first.push(await page.evaluate<number>('performance.now()'));
      for (const [name, at] of await page.evaluate<[string, number][]>(FIRST_RENDER_STEPS)) {
        const xs = marks.get(name) ?? [];
        xs.push(at);
        marks.set(name, xs);
      }
      firstTasks.push(await navigate(page, 'tasks'));
      await page.close();
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${base}/#token=bench`);
    await page.waitForFunction(drawn, undefined, { polling: 'raf', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const timedInteractions = await interactions(page, PAGES, REPEAT, 'b7-t3');
    console.log(
      JSON.stringify({
        bench: 'dashboard-page-only',
        agents: AGENTS,
        frameworks: FRAMEWORKS,
        tasks: TASKS,
        offers: AGENTS,
        snapshotBytes: Buffer.byteLength(body),
        firstRenderMs: stats(first),
        firstRenderStepsMs: Object.fromEntries([...marks].map(([k, xs]) => [k, stats(xs)])),
        tasksRightAfterFirstRenderMs: stats(firstTasks),
        ...timedInteractions,
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
