/**
 * The dashboard at scale, in Chromium (issue 15): a real controller (embedded store) in
 * its own process (bench/scale's harness), `AGENTS` simulated agents (`mezzo sim-agents`,
 * default 1,000), `FRAMEWORKS` SDK frameworks (default 200, over 20 roles) that launch
 * `TASKS` tasks between them (default 10,000) labelled to run forever, all over the real
 * gRPC API. Then, in headless Chromium (Debian's, through playwright-core): the first
 * render (navigation start to the Overview drawn with the stream's snapshot), each page's
 * render after a click in the navigation (the hash change's work plus the next frame),
 * the Tasks filter's redraw after a keystroke, and the redraw one stream delta causes on
 * the Tasks page. Before those, what idle open pages cost the controller (idle-cost.ts:
 * its CPU and its stream passes with 0, 1 and `IDLE_PAGES` pages open, `IDLE_WINDOW_S`
 * seconds each). Prints one JSON object. Run: `npm run bench -- dashboard-render` (needs
 * /usr/bin/chromium or MEZZO_CHROMIUM).
 *
 * The controller is not in this process: with it and the 200 frameworks' clients in one
 * Node process, the load stalled short of 10,000 tasks every time (48 of 1,000 ACCEPT
 * calls never answered, bytes left unread on the controller's sockets); bench/scale,
 * whose controller runs alone, never did.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { newToken } from '../../src/auth/token.js';
import type { SchedulerClient } from '../../src/sdk/scheduler-client.js';
import { freePort } from '../../test/support/net.js';
import { metric, readMetrics, type Metrics } from '../scale/harness/proc-stats.js';
import { spawnUntil } from '../scale/harness/spawn-until.js';
import { idleCost } from './harness/idle-cost.js';
import { books, launcher, relaunched } from './harness/launcher.js';
import { FIRST_RENDER_STEPS, interactions, stats } from './harness/page-timing.js';

const token = newToken();
process.env.MEZZO_TOKEN = token;

const AGENTS = Number(process.env.AGENTS ?? 1000);
const FRAMEWORKS = Number(process.env.FRAMEWORKS ?? 200);
const TASKS = Number(process.env.TASKS ?? 10_000);
const REPEAT = 5;
/**
 * How long the load may take (s). Past it the pages are measured with what runs by then
 * and the JSON says how many tasks that was: on a machine shared with other jobs the
 * controller answered ACCEPTs minutes late at this size (see docs/dashboard.md).
 */
const LOAD_LIMIT_S = Number(process.env.LOAD_LIMIT_S ?? 600);
const CHROMIUM = process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium';
/** Seconds each idle-cost window lasts (no page, one page, `IDLE_PAGES` pages); 0: skipped. */
const IDLE_WINDOW_S = Number(process.env.IDLE_WINDOW_S ?? 20);
const IDLE_PAGES = Number(process.env.IDLE_PAGES ?? 20);
const root = new URL('../../../', import.meta.url).pathname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Ctrl-C or SIGTERM ends the wait, so the `finally` below stops the simulated agents,
// the browser and the controller and removes the work dir instead of leaving them.
let interrupted = '';
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => (interrupted = sig));

async function until(
  what: string,
  cond: () => Promise<boolean>,
  progress: () => string,
  ms = 600_000,
): Promise<void> {
  const start = Date.now();
  let said = start;
  while (!(await cond().catch(() => false))) {
    if (interrupted) throw new Error(`${interrupted} while waiting for ${what}: ${progress()}`);
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}: ${progress()}`);
    if (Date.now() - said > 10_000) {
      said = Date.now();
      console.error(`# waiting for ${what}: ${progress()}`);
    }
    await sleep(500);
  }
}

/** A node process of the bench; resolves once its stdout has a line `match` accepts. */
async function start(args: string[], match: (line: string) => boolean): Promise<ChildProcess> {
  const env = { ...process.env, MEZZO_TOKEN: token };
  return (await spawnUntil(args, match, { cwd: root, env })).child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)])))
    child.kill('SIGKILL');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-bench-render-'));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const server = `http://127.0.0.1:${httpPort}`;
  let ctl: ChildProcess | undefined;
  let sim: ChildProcess | undefined;
  const clients: SchedulerClient[] = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    // Mesos' defaults, as bench/scale's: 15 s pings, unreachable after 5 missed.
    ctl = await start(
      [
        'dist/bench/scale/harness/controller-proc.js',
        `--work-dir=${dir}`,
        `--grpc-port=${grpcPort}`,
        `--http-port=${httpPort}`,
        '--ping-interval-ms=15000',
        // No bound on the offers one framework gets per pass: the core's default.
        '--max-offers=0',
      ],
      (l) => l.startsWith('{'),
    );
    let m: Metrics = new Map();
    const read = async () => (m = await readMetrics(server, token));
    const agents = () => metric(m, 'mezzo_controller_agents', { state: 'active' });
    const running = () => metric(m, 'mezzo_controller_tasks', { state: 'TASK_RUNNING' });
    const loadStart = Date.now();
    sim = await start(
      [
        'bin/mezzo.js',
        'sim-agents',
        `--controller=${address}`,
        `--count=${AGENTS}`,
        '--cpus=16',
        '--mem=64Gi',
        '--agents-per-channel=50',
      ],
      (l) => l.includes('"registered"'),
    );
    await until(
      `${AGENTS} agents`,
      async () => (await read(), agents() >= AGENTS),
      () => `${agents()} active`,
    );
    console.error(`# ${AGENTS} agents registered after ${(Date.now() - loadStart) / 1000} s`);
    for (let i = 0; i < FRAMEWORKS; i++) {
      const per = Math.floor(TASKS / FRAMEWORKS) + (i < TASKS % FRAMEWORKS ? 1 : 0);
      clients.push(launcher(address, token, i, per));
    }
    // Subscribed together, as bench/scale's are: one after another took 107 s for 200.
    await Promise.all(clients.map((c) => c.start()));
    console.error(
      `# ${FRAMEWORKS} frameworks subscribed after ${(Date.now() - loadStart) / 1000} s`,
    );
    await until(
      `${TASKS} running tasks`,
      async () => (
        await read(),
        running() >= TASKS || Date.now() - loadStart > LOAD_LIMIT_S * 1000
      ),
      () =>
        `${running()} running; launchers: ${JSON.stringify(books)}, relaunched ${JSON.stringify(Object.fromEntries(relaunched))}`,
      (LOAD_LIMIT_S + 60) * 1000,
    );
    const loadSeconds = (Date.now() - loadStart) / 1000;
    // Let the last deltas settle.
    await sleep(3000);
    const idle =
      IDLE_WINDOW_S > 0 && ctl.pid !== undefined
        ? await idleCost({ pid: ctl.pid, server, token }, IDLE_PAGES, IDLE_WINDOW_S)
        : undefined;
    await sleep(1000);

    // The controller's share of a first render: from asking for the stream to having its
    // whole snapshot, read here in Node (each time with no other page open, so the view
    // is computed again, from the agents' and tasks' remembered texts, as for each first
    // render below).
    const served: number[] = [];
    let snapshotBytes = 0;
    for (let r = 0; r < REPEAT; r++) {
      const t0 = performance.now();
      const abort = new AbortController();
      const res = await fetch(`${server}/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
      let bytes = 0;
      let tail = '';
      const decoder = new TextDecoder();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        bytes += chunk.value.byteLength;
        tail = (tail + decoder.decode(chunk.value, { stream: true })).slice(-2);
        if (tail === '\n\n') break;
      }
      served.push(performance.now() - t0);
      snapshotBytes = bytes;
      abort.abort();
      await sleep(500);
    }
    const first: number[] = [];
    // When each step of the first render ended (ms from navigation start).
    const steps = new Map<string, number[]>();
    for (let r = 0; r < REPEAT; r++) {
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      // The controller, busy with the load, took over 30 s (playwright's default) once.
      page.setDefaultTimeout(180_000);
      await page.goto(`${server}/#token=${token}`);
      await page.waitForFunction(
        // Drawn from the snapshot: the Running tasks card shows its (non-zero) count.
        `document.querySelector('#stream-status')?.textContent === 'live' && [...document.querySelectorAll('main .card')].some((c) => c.textContent.startsWith('Running tasks') && Number(c.querySelector('.big')?.textContent) > 0)`,
        undefined,
        { polling: 'raf', timeout: 180_000 },
      );
      first.push(await page.evaluate<number>('performance.now()'));
      for (const [name, at] of await page.evaluate<[string, number][]>(FIRST_RENDER_STEPS)) {
        const xs = steps.get(name) ?? [];
        xs.push(at);
        steps.set(name, xs);
      }
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page.setDefaultTimeout(180_000);
    await page.goto(`${server}/#token=${token}`);
    await page.waitForFunction(`document.querySelector('#stream-status')?.textContent === 'live'`);
    await sleep(1000);
    const timedInteractions = await interactions(
      page,
      ['overview', 'frameworks', 'agents', 'tasks', 'roles', 'offers', 'apps', 'schedules'],
      REPEAT,
      'b7-t3',
    );
    console.log(
      JSON.stringify(
        {
          bench: 'dashboard-render',
          agents: agents(),
          frameworks: metric(m, 'mezzo_controller_frameworks', { connected: 'true' }),
          runningTasks: (await read(), running()),
          // Every task the controller holds (and the page's snapshot lists), any state.
          tasksKnown: metric(m, 'mezzo_controller_tasks'),
          loadSeconds,
          relaunched: Object.fromEntries(relaunched),
          snapshotServedMs: stats(served),
          snapshotBytes,
          firstRenderMs: stats(first),
          firstRenderStepsMs: Object.fromEntries([...steps].map(([k, xs]) => [k, stats(xs)])),
          ...timedInteractions,
          idleCost: idle,
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
    await stop(sim);
    await stop(ctl);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
