/**
 * The dashboard at scale, in Chromium (issue 15): a real controller (embedded store),
 * `AGENTS` simulated agents (`mezzo sim-agents`, default 1,000), `FRAMEWORKS` SDK
 * frameworks (default 200, over 20 roles) that launch `TASKS` tasks between them (default
 * 10,000) labelled to run forever, all over the real gRPC API. Then, in headless
 * Chromium (Debian's, through playwright-core): the first render (navigation start to
 * the Overview drawn with the stream's snapshot), each page's render after a click in
 * the navigation (the hash change's work plus the next frame), the Tasks filter's
 * redraw after a keystroke, and the redraw one stream delta causes on the Tasks page.
 * Prints one JSON object. Run: `npm run bench -- dashboard-render` (as any user; needs
 * /usr/bin/chromium or MEZZO_CHROMIUM).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import { Controller } from '../../src/controller/controller.js';
import type { Offer__Output } from '../../src/gen/mezzo/v1/Offer.js';
import { SchedulerClient } from '../../src/sdk/scheduler-client.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';
import { EmbeddedStore } from '../../src/store/embedded.js';

const token = newToken();
process.env.MEZZO_TOKEN = token;

const AGENTS = Number(process.env.AGENTS ?? 1000);
const FRAMEWORKS = Number(process.env.FRAMEWORKS ?? 200);
const TASKS = Number(process.env.TASKS ?? 10_000);
const ROLES = 20;
const REPEAT = 5;
const CHROMIUM = process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium';
const MEZZO = fileURLToPath(new URL('../../../bin/mezzo.js', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(
  what: string,
  cond: () => boolean,
  progress: () => string,
  ms = 600_000,
): Promise<void> {
  const start = Date.now();
  let said = start;
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}: ${progress()}`);
    if (Date.now() - said > 10_000) {
      said = Date.now();
      console.error(`# waiting for ${what}: ${progress()}`);
    }
    await sleep(200);
  }
}

/** A framework that launches `count` forever-running simulated tasks, then suppresses. */
function launcher(address: string, i: number, count: number): SchedulerClient {
  const fw = new SchedulerClient({
    address,
    token,
    framework: {
      id: '',
      name: `bench-${i}`,
      user: 'nobody',
      roles: [`role-${i % ROLES}`],
      failover_timeout_seconds: 600,
    },
  });
  let launched = 0;
  fw.on('offers', (offers: Offer__Output[]) => {
    for (const o of offers) {
      const room = Math.min(count - launched, 10);
      if (room <= 0) {
        fw.decline([o.id], 600).catch(() => undefined);
        continue;
      }
      const tasks = Array.from({ length: room }, (_, k) => ({
        task_id: `b${i}-t${launched + k}`,
        name: `bench-${i}-${launched + k}`,
        agent_id: o.agent_id,
        command: { shell: true, value: 'true' },
        labels: { 'sim.mezzo.dev/duration': 'forever' },
        resources: [
          { name: 'cpus', type: 'SCALAR' as const, scalar: 0.1 },
          { name: 'mem', type: 'SCALAR' as const, scalar: 32 },
        ],
      }));
      launched += room;
      fw.accept([o.id], [{ type: 'LAUNCH', tasks }], 1).catch(() => undefined);
      if (launched >= count) fw.suppress().catch(() => undefined);
    }
  });
  return fw;
}

function stats(xs: number[]): { median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: Math.round((s[Math.floor(s.length / 2)] ?? 0) * 10) / 10,
    max: Math.round((s[s.length - 1] ?? 0) * 10) / 10,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-bench-render-'));
  const clock = new SystemClock();
  const store = new EmbeddedStore(join(dir, 'state.json'), clock);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access: devAccess(token),
    grpcPort: 0,
    httpPort: 0,
  });
  await controller.start();
  const address = controller.grpcAddress;
  const sim = spawn(
    process.execPath,
    [
      MEZZO,
      'sim-agents',
      '--controller',
      address,
      '--count',
      String(AGENTS),
      '--cpus',
      '16',
      '--mem',
      '64Gi',
      // Many agents on one HTTP/2 connection registered slowly here; 50 a channel did not.
      '--agents-per-channel',
      '50',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MEZZO_TOKEN: token } },
  );
  const clients: SchedulerClient[] = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const core = controller.core;
    const loadStart = Date.now();
    await until(
      `${AGENTS} agents`,
      () => core.agents.size >= AGENTS,
      () => `${core.agents.size} registered`,
    );
    for (let i = 0; i < FRAMEWORKS; i++) {
      const per = Math.floor(TASKS / FRAMEWORKS) + (i < TASKS % FRAMEWORKS ? 1 : 0);
      const fw = launcher(address, i, per);
      clients.push(fw);
      await fw.start();
    }
    const running = () => {
      let n = 0;
      for (const t of core.tasks.values()) if (t.state === 'TASK_RUNNING') n++;
      return n;
    };
    await until(
      `${TASKS} running tasks`,
      () => running() >= TASKS,
      () =>
        `${core.tasks.size} tasks, ${running()} running, ${core.offers.all().length} offers out`,
    );
    const loadSeconds = (Date.now() - loadStart) / 1000;
    // Let the last deltas settle.
    await sleep(3000);

    const server = `http://127.0.0.1:${controller.httpPort}`;
    const first: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      await page.goto(`${server}/#token=${token}`);
      await page.waitForFunction(
        `document.querySelector('#stream-status')?.textContent === 'live' && document.querySelector('main .cards') !== null && /${TASKS}/.test(document.querySelector('main').textContent)`,
        undefined,
        { polling: 'raf', timeout: 60_000 },
      );
      first.push(await page.evaluate<number>('performance.now()'));
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${server}/#token=${token}`);
    await page.waitForFunction(`document.querySelector('#stream-status')?.textContent === 'live'`);
    await sleep(1000);
    const measure = (script: string) =>
      page.evaluate<number>(`(async () => { const t = performance.now(); ${script};
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return performance.now() - t; })()`);
    const navigation: Record<string, { median: number; max: number }> = {};
    for (const p of [
      'overview',
      'frameworks',
      'agents',
      'tasks',
      'roles',
      'offers',
      'apps',
      'schedules',
    ]) {
      const xs: number[] = [];
      for (let r = 0; r < REPEAT; r++) {
        await measure(`location.hash = '#/overview'`);
        xs.push(await measure(`location.hash = '#/${p}'`));
      }
      navigation[p] = stats(xs);
    }
    await measure(`location.hash = '#/tasks'`);
    const filter: number[] = [];
    for (const text of ['b1', 'b17', 'b17-', 'b17-t4', '']) {
      filter.push(
        await measure(
          `const i = document.querySelector('#task-filter'); i.value = ${JSON.stringify(text)}; i.dispatchEvent(new Event('input'))`,
        ),
      );
    }
    const redraw: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      redraw.push(await measure(`window.dispatchEvent(new Event('mezzo:redraw'))`));
    }
    const oneTask = `tasks/${encodeURIComponent('b7-t3')}`;
    const openTask: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      await measure(`location.hash = '#/tasks'`);
      openTask.push(await measure(`location.hash = '#/${oneTask}'`));
    }
    console.log(
      JSON.stringify(
        {
          bench: 'dashboard-render',
          agents: core.agents.size,
          frameworks: core.frameworks.size,
          tasks: core.tasks.size,
          runningTasks: running(),
          loadSeconds,
          firstRenderMs: stats(first),
          navigationMs: navigation,
          tasksFilterKeystrokeMs: stats(filter),
          tasksRedrawPerDeltaMs: stats(redraw),
          openOneTaskMs: stats(openTask),
          repeats: REPEAT,
          machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) },
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    for (const c of clients) c.close();
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
    await controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
