/**
 * The Mesos paper's scalability experiment (NSDI 2011, §6.5), reproduced on simulated
 * agents (issue 17 items 3 and 5). For each cluster size: a controller in its own process
 * (embedded store), `mezzo sim-agents` with that many agents (4 cpus, 8 GiB each) in
 * another, and 200 SDK frameworks in this one, each keeping `--concurrency` tasks wanted
 * or running, durations drawn from N(mean, sd) — the paper's 30 s ± 10 s scaled down by
 * `--scale` (default 10: 3 s ± 1 s). After a warm-up, for `--window-s` seconds: launch
 * overhead (want → TASK_RUNNING, p50/p99), controller CPU (cores) and RSS, offers made and
 * status updates received per second. Then `/state` latency and size, and a controller
 * restart: time until every agent has re-registered, every framework has resubscribed and
 * an explicit reconciliation is answered.
 *
 * Flags: `--sizes=1000,5000,10000,25000,50000`, `--quick` (1000 and 5000, shorter
 * windows), `--frameworks=200`, `--concurrency=1`, `--scale=10`, `--window-s=30`,
 * `--warmup-s=10`, `--ping-interval-s=15`, `--out=FILE` (the JSON also to a file),
 * `--suppress` (frameworks suppress offers while they want no task, revive when they do),
 * `--cpu-prof-dir=DIR` (the controller writes a V8 CPU profile there at each exit),
 * `--max-offers=K` (the controller offers one framework at most K agents per allocation
 * pass; default 0, no bound), `--offer-allowance=adaptive|off` (the controller's; default
 * adaptive), `--controller-log-level=L` and `--sim-log-level=L` (their
 * logs to stderr; default error).
 * Prints one JSON object; `node dist/bench/scale/harness/plot.js FILE PNG` draws it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newToken } from '../../src/auth/token.js';
import { freePort } from '../../test/support/net.js';
import { LoadFramework } from './harness/load-framework.js';
import { spawnUntil } from './harness/spawn-until.js';
import {
  agentsBack,
  flag,
  log,
  quantile,
  round,
  sleep,
  stopChild,
  timeGet,
  timeReconcile,
} from './harness/bench-steps.js';
import * as bench from './harness/bench-steps.js';
import { cpuSeconds, metric, readMetrics, rssMiB, type Metrics } from './harness/proc-stats.js';

const token = newToken();
process.env.MEZZO_TOKEN = token;
const root = new URL('../../../', import.meta.url).pathname;

const quick = process.argv.includes('--quick');
const sizes = flag('sizes', quick ? '1000,5000' : '1000,5000,10000,25000,50000')
  .split(',')
  .map(Number);
const FRAMEWORKS = Number(flag('frameworks', '200'));
const CONCURRENCY = Number(flag('concurrency', '1'));
const SCALE = Number(flag('scale', '10'));
const WINDOW_S = Number(flag('window-s', quick ? '20' : '30'));
const WARMUP_S = Number(flag('warmup-s', quick ? '5' : '10'));
const PING_S = Number(flag('ping-interval-s', '15'));
const SUPPRESS = process.argv.includes('--suppress');
const MAX_OFFERS = Number(flag('max-offers', '0'));
const MEAN_S = 30 / SCALE;
const SD_S = 10 / SCALE;

/** {@link spawnUntil} of a process of this bench (its directory, the bench's token). */
function spawnUntilReady(
  args: string[],
  match: (line: string) => boolean,
  limitMs: number,
): Promise<{ child: ChildProcess; line: string }> {
  return spawnUntil(args, match, {
    cwd: root,
    env: { ...process.env, MEZZO_TOKEN: token },
    limitMs,
  });
}

/** Stops `child` (SIGTERM, SIGKILL after `--stop-limit-s`, 60); whether it stopped by itself. */
function stop(child: ChildProcess): Promise<boolean> {
  // Long enough for a controller with 50,000 streams to close them and write its profile.
  return stopChild(child, Number(flag('stop-limit-s', '60')) * 1000);
}

async function runSize(agents: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-scale-'));
  try {
    return await measureSize(agents, dir);
  } finally {
    // A failed size leaves no work dir behind either.
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureSize(agents: number, dir: string): Promise<Record<string, unknown>> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const controllerArgs = bench.controllerArgs({
    root,
    dir,
    grpcPort,
    httpPort,
    pingS: PING_S,
    maxOffers: MAX_OFFERS,
  });
  const isJson = (l: string) => l.startsWith('{');
  let ctl = (await spawnUntilReady(controllerArgs, isJson, 60_000)).child;
  const http = `http://127.0.0.1:${String(httpPort)}`;
  const grpc = `127.0.0.1:${String(grpcPort)}`;
  const rssEmpty = rssMiB(ctl.pid);
  const loadBefore = loadavg()[0] ?? NaN;
  const t0 = Date.now();
  const sim = (
    await spawnUntilReady(
      bench.simAgentsArgs(root, grpc, agents, { cpus: 4, mem: '8Gi' }),
      (l) => l.includes('"registered"'),
      30 * 60_000,
    )
  ).child;
  const registerS = (Date.now() - t0) / 1000;
  log(`${String(agents)} agents registered in ${registerS.toFixed(1)} s`);
  await sleep(2000);
  const rssAgents = rssMiB(ctl.pid);
  const simRss = rssMiB(sim.pid);

  const fws = Array.from(
    { length: FRAMEWORKS },
    (_, i) => new LoadFramework(grpc, i, CONCURRENCY, MEAN_S, SD_S, SUPPRESS),
  );
  await Promise.all(fws.map((f) => f.start()));
  log(`${String(FRAMEWORKS)} frameworks subscribed`);
  await sleep(WARMUP_S * 1000);
  for (const f of fws) f.recording = true;
  const m0: Metrics = await readMetrics(http, token);
  const cpu0 = cpuSeconds(ctl.pid);
  const w0 = Date.now();
  const loadWindowStart = loadavg()[0] ?? NaN;
  await sleep(WINDOW_S * 1000);
  const loadWindowEnd = loadavg()[0] ?? NaN;
  const m1: Metrics = await readMetrics(http, token);
  const cpu1 = cpuSeconds(ctl.pid);
  const windowS = (Date.now() - w0) / 1000;
  for (const f of fws) f.recording = false;
  const rssLoaded = rssMiB(ctl.pid);
  const overheads = fws.flatMap((f) => f.sample.overheads).sort((a, b) => a - b);
  const sorted = (pick: (f: LoadFramework) => number[]) => fws.flatMap(pick).sort((a, b) => a - b);
  const offerWaits = sorted((f) => f.sample.offerWaits);
  const acceptToRunning = sorted((f) => f.sample.acceptToRunning);
  const launched = fws.reduce((n, f) => n + f.sample.launched, 0);
  const delta = (name: string, labels: Record<string, string> = {}) =>
    metric(m1, name, labels) - metric(m0, name, labels);

  // /state while the load runs.
  const state = await timeGet(`${http}/state`, token);
  const tasksKnown = metric(m1, 'mezzo_controller_tasks', { state: 'TASK_RUNNING' });

  log('load window done; restarting the controller');
  // A controller restart: same store, same ports.
  const s0 = Date.now();
  const stoppedByItself = await stop(ctl);
  const stopS = (Date.now() - s0) / 1000;
  const r0 = Date.now();
  ctl = (await spawnUntilReady(controllerArgs, isJson, 60_000)).child;
  log(`controller restarted in ${String(Date.now() - r0)} ms`);
  const back = await agentsBack(http, token, agents, r0);
  const [agentsBackAll, agentsS, firstAgentS] = [back.all, back.allS, back.firstS];
  const fwsBack = await bench.frameworksBack(http, token, FRAMEWORKS);
  const frameworksS = (Date.now() - r0) / 1000;
  log(
    `restart: agents ${String(agentsBackAll)} ${agentsS.toFixed(1)} s, frameworks ${String(fwsBack)}`,
  );
  const probe = fws[0];
  let reconcileMs = NaN;
  if (probe) reconcileMs = await timeReconcile(probe.client, probe.runningTasks());
  const rssRecovered = rssMiB(ctl.pid);

  for (const f of fws) f.close();
  await stop(sim);
  await stop(ctl);
  return {
    agents,
    load_avg_1m: {
      before: round(loadBefore),
      window_start: round(loadWindowStart),
      window_end: round(loadWindowEnd),
      after: round(loadavg()[0] ?? NaN),
    },
    register_all_s: round(registerS),
    launch_overhead_ms: {
      n: overheads.length,
      p50: round(quantile(overheads, 0.5)),
      p99: round(quantile(overheads, 0.99)),
      max: round(overheads.at(-1) ?? NaN),
      offer_wait_p50: round(quantile(offerWaits, 0.5)),
      offer_wait_p99: round(quantile(offerWaits, 0.99)),
      accept_to_running_p50: round(quantile(acceptToRunning, 0.5)),
      accept_to_running_p99: round(quantile(acceptToRunning, 0.99)),
    },
    launched_per_s: round(launched / windowS),
    offers_per_s: round(delta('mezzo_controller_offers_total', { result: 'made' }) / windowS),
    // Which passes made them, and how many of each ran (a diagnosis of offers/s).
    offers_by_pass_per_s: {
      full: round(delta('mezzo_allocator_offers_total', { kind: 'full' }) / windowS),
      incremental: round(delta('mezzo_allocator_offers_total', { kind: 'incremental' }) / windowS),
    },
    passes_per_s: {
      full: round(
        delta('mezzo_allocator_allocation_run_seconds_count', { kind: 'full' }) / windowS,
      ),
      incremental: round(
        delta('mezzo_allocator_allocation_run_seconds_count', { kind: 'incremental' }) / windowS,
      ),
    },
    declined_per_s: round(delta('mezzo_controller_offers_total', { result: 'declined' }) / windowS),
    status_updates_per_s: round(delta('mezzo_controller_status_updates_received_total') / windowS),
    // Scheduler calls past the one principal's pace (all 200 frameworks share it).
    framework_calls_paced_per_s: {
      delayed: round(
        delta('mezzo_controller_framework_calls_paced_total', { outcome: 'delayed' }) / windowS,
      ),
      refused: round(
        delta('mezzo_controller_framework_calls_paced_total', { outcome: 'refused' }) / windowS,
      ),
    },
    controller: {
      cpu_cores: round((cpu1 - cpu0) / windowS),
      rss_mib: { empty: rssEmpty, agents: rssAgents, loaded: rssLoaded, recovered: rssRecovered },
      kib_per_agent: round(((rssAgents - rssEmpty) * 1024) / agents, 1),
    },
    sim_agents_rss_mib: simRss,
    state: { ...state, running_tasks: tasksKnown },
    restart: {
      // The old controller's stop; null when it was killed after 60 s.
      stop_s: stoppedByItself ? round(stopS) : null,
      first_agent_back_s: Number.isNaN(firstAgentS) ? null : round(firstAgentS),
      agents_reregistered_s: agentsBackAll ? round(agentsS) : null,
      frameworks_resubscribed_s: fwsBack ? round(frameworksS) : null,
      reconcile_answered_ms: Number.isNaN(reconcileMs) ? null : reconcileMs,
    },
  };
}

const runs: Record<string, unknown>[] = [];
const started = Date.now();
const result = () => ({
  bench: 'scale',
  machine: { cores: cpus().length },
  params: {
    frameworks: FRAMEWORKS,
    concurrency_per_framework: CONCURRENCY,
    task: { cpus: 1, mem_mib: 512 },
    agent: { cpus: 4, mem_mib: 8192 },
    duration_s: { mean: MEAN_S, sd: SD_S, scaled_down_from: '30 ± 10 s (Mesos NSDI 2011)' },
    warmup_s: WARMUP_S,
    window_s: WINDOW_S,
    agent_ping_interval_s: PING_S,
    allocation_interval_s: 1,
    offer_filter_s: 5,
    suppress_when_idle: SUPPRESS,
    max_offers_per_framework_per_pass: MAX_OFFERS,
    offer_allowance: flag('offer-allowance', 'adaptive'),
  },
  wall_s: round((Date.now() - started) / 1000, 0),
  runs,
});
const file = flag('out', '');
for (const n of sizes) {
  process.stderr.write(`# scale: ${String(n)} agents\n`);
  runs.push(await runSize(n));
  process.stderr.write(`${JSON.stringify(runs.at(-1))}\n`);
  // Each size's figures are kept as soon as they are measured: a long run cut short
  // still leaves the sizes it finished.
  if (file) writeFileSync(file, `${JSON.stringify(result(), null, 2)}\n`);
}
process.stdout.write(`${JSON.stringify(result(), null, 2)}\n`);
process.exit(0);
