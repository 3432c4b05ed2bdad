/**
 * What open dashboards cost the controller (issue 15): a real controller and embedded
 * store holding `OBJECTS` Apps (default 1,000; instances 0, so nothing runs), the
 * dashboard's stream at its default limits. Measures, with 0, 1 and `PAGES` (default 20)
 * idle pages open for `WINDOW_S` seconds each (default 20): the controller process's CPU
 * time per second and the bytes each page received after its snapshot; then the size of
 * the snapshot and of the delta one changed App causes. Prints one JSON object.
 * Run: `npm run bench -- dashboard` (or `node dist/bench/dashboard/stream-cost.js`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '../../src/controller/controller.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import { openStream } from './harness/stream-reader.js';

// The bench's controller, agents and clients share one admin token (found through the env).
const token = newToken();
process.env.MEZZO_TOKEN = token;

const OBJECTS = Number(process.env.OBJECTS ?? 1000);
const PAGES = Number(process.env.PAGES ?? 20);
const WINDOW_S = Number(process.env.WINDOW_S ?? 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ms per second of this process over `seconds`. */
async function cpuPerSecond(seconds: number): Promise<number> {
  const start = process.cpuUsage();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) / 1000 / seconds) * 100) / 100;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-bench-dash-'));
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
  try {
    for (let i = 0; i < OBJECTS; i++) {
      await store.create({
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'App',
        metadata: { name: `app-${i}`, namespace: 'default' },
        spec: { command: `sleep ${i}`, instances: 0 },
      });
    }
    const url = `http://127.0.0.1:${controller.httpPort}/events`;
    const noPage = await cpuPerSecond(WINDOW_S);
    const one = await openStream(url, token);
    // The first tick after a page opens carries what the store's watches replayed.
    await sleep(3000);
    const onePage = await cpuPerSecond(WINDOW_S);
    const more = [one];
    for (let i = 1; i < PAGES; i++) more.push(await openStream(url, token));
    await sleep(2000);
    const startBytes = more.map((p) => p.after);
    const manyPages = await cpuPerSecond(WINDOW_S);
    const idleBytes = more.map((p, i) => p.after - (startBytes[i] ?? 0));

    const cur = await store.get('App', 'app-0', 'default');
    if (!cur) throw new Error('app-0 is gone');
    await store.update({ ...cur, spec: { ...cur.spec, command: 'sleep 1000000' } });
    const deltas = one.events.get('delta') ?? 0;
    while ((one.events.get('delta') ?? 0) === deltas) await sleep(50);

    for (const p of more) await p.close();
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'dashboard-stream-cost',
          objects: OBJECTS,
          window_s: WINDOW_S,
          controller_cpu_ms_per_s: {
            no_page: noPage,
            one_page: onePage,
            [`${PAGES}_pages`]: manyPages,
          },
          snapshot_bytes: one.snapshot,
          idle_bytes_per_page_per_min: Math.round((Math.max(...idleBytes) / WINDOW_S) * 60),
          one_change_delta_bytes: Buffer.byteLength(one.lastDelta),
          machine: { cpus: cpus().length, loadavg_1m: loadavg()[0] },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
