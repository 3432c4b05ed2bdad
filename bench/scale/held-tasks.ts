/**
 * The controller holding a large cluster (issue 17 item 5): a controller in its own
 * process (embedded store), `mezzo sim-agents` with `--agents` agents (4 cpus, 8 GiB) and
 * `--frameworks` SDK frameworks in this process that launch `--tasks` tasks which never
 * end (`sim.mezzo.dev/duration: forever`), sized so that the agents are exactly full
 * (2 a agent at the defaults), each offer used for as many as it holds in one ACCEPT.
 * Measured: the build-up (seconds until every task is RUNNING, tasks a second, controller
 * CPU), controller RSS per agent and per task, `/state`, Mesos' `/master/state` and the
 * dashboard's first `/events` snapshot (median of 3, and size) with the cluster held, and
 * a restarted controller's recovery: first and all agents back, every task RUNNING again,
 * every framework resubscribed, and an explicit reconciliation of all of one framework's
 * tasks answered.
 *
 * Flags: `--agents=50000` (or the largest of scale.ts's `--sizes`), `--tasks=` (twice the agents), `--frameworks=200`, `--quick`
 * (1,000 agents and 2,000 tasks), `--max-offers=K` (offers per framework per allocation
 * pass; default 1), `--accepts-in-flight=1` (per framework),
 * `--build-limit-s=1800`, `--stop-limit-s=300` (SIGKILL after it), `--ping-interval-s=15`,
 * `--state-readers=4` (concurrent `/state` readers, timed together), `--skip-restart`,
 * `--offer-timeout-s=30` (the controller's; shorter makes ACCEPTs come after their offers),
 * `--out=FILE`, `--cpu-prof-dir=DIR`, `--controller-log-level=L`, `--sim-log-level=L`.
 * Prints one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newToken } from '../../src/auth/token.js';
import { freePort } from '../../test/support/net.js';
import {
  agentsBack,
  flag,
  log,
  round,
  sleep,
  stopChild,
  timeConcurrentGets,
  timeGet,
  timeReconcile,
  until,
} from './harness/bench-steps.js';
import * as bench from './harness/bench-steps.js';
import { HeldFramework } from './harness/held-framework.js';
import { cpuSeconds, metric, readMetrics, rssMiB } from './harness/proc-stats.js';
import { spawnUntil } from './harness/spawn-until.js';

const token = newToken();
process.env.MEZZO_TOKEN = token;
const root = new URL('../../../', import.meta.url).pathname;

const quick = process.argv.includes('--quick');
// Run by `npm run bench -- scale` with scale.ts's flags: its largest `--sizes` is the size.
const sizes = flag('sizes', '').split(',').filter(Boolean).map(Number);
const AGENTS = Number(flag('agents', String(Math.max(...sizes, 0) || (quick ? 1000 : 50000))));
const TASKS = Number(flag('tasks', String(2 * AGENTS)));
const FRAMEWORKS = Number(flag('frameworks', '200'));
const AGENT = { cpus: 4, mem: 8192 };
const PER_AGENT = Math.ceil(TASKS / AGENTS);
const SHAPE = { cpus: AGENT.cpus / PER_AGENT, mem: Math.floor(AGENT.mem / PER_AGENT) };
const PER_FRAMEWORK = Math.ceil(TASKS / FRAMEWORKS);
// Every framework offered all it could fill at once (250 agents each at 50,000) sent the
// controller 50,000 ACCEPTs in one pass: most came after their offers' 30 s timeout.
const MAX_OFFERS = Number(flag('max-offers', '1'));
const IN_FLIGHT = Number(flag('accepts-in-flight', '1'));
const PING_S = Number(flag('ping-interval-s', '15'));
const STOP_LIMIT_MS = Number(flag('stop-limit-s', '300')) * 1000;
const BUILD_LIMIT_MS = Number(flag('build-limit-s', '1800')) * 1000;
const STATE_READERS = Number(flag('state-readers', '4'));
const SKIP_RESTART = process.argv.includes('--skip-restart');
const bearer = { authorization: `Bearer ${token}` };

function spawnReady(args: string[], match: (line: string) => boolean, limitMs: number) {
  return spawnUntil(args, match, {
    cwd: root,
    env: { ...process.env, MEZZO_TOKEN: token },
    limitMs,
  });
}

/** The dashboard's first `/events` event (its snapshot): ms until read whole, and bytes. */
async function timeSnapshot(http: string): Promise<{ ms: number; bytes: number }> {
  const abort = new AbortController();
  const s = Date.now();
  const r = await fetch(`${http}/events`, { headers: bearer, signal: abort.signal });
  const reader = (r.body as ReadableStream<Uint8Array> | null)?.getReader();
  let bytes = 0;
  let tail = '';
  for (;;) {
    const part = await reader?.read();
    if (!part || part.done) break;
    const chunk: Uint8Array = part.value;
    bytes += chunk.length;
    // An event ends with a blank line; the snapshot's JSON holds no raw newline.
    tail = (tail + Buffer.from(chunk.subarray(-2)).toString('latin1')).slice(-2);
    if (tail === '\n\n') break;
  }
  const ms = Date.now() - s;
  abort.abort();
  return { ms, bytes };
}

async function snapshots(http: string): Promise<{ ms_p50: number; bytes: number }> {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await timeSnapshot(http));
  runs.sort((a, b) => a.ms - b.ms);
  return { ms_p50: runs[1]?.ms ?? NaN, bytes: runs[1]?.bytes ?? 0 };
}

/** Waits until the store's files stop growing for 3 s: every queued write is on disk. */
async function storeSettled(dir: string): Promise<number> {
  const size = () =>
    ['state.json', 'state.json.log'].reduce((n, f) => {
      try {
        return n + statSync(join(dir, f)).size;
      } catch {
        return n;
      }
    }, 0);
  const s = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = size();
    if (now !== last) [last, since] = [now, Date.now()];
    if (Date.now() - since >= 3000) return (since - s) / 1000;
    await sleep(500);
  }
}

const running = async (http: string) =>
  metric(await readMetrics(http, token), 'mezzo_controller_tasks', { state: 'TASK_RUNNING' });

async function measure(dir: string): Promise<Record<string, unknown>> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const controllerArgs = bench.controllerArgs(
    { root, dir, grpcPort, httpPort, pingS: PING_S, maxOffers: MAX_OFFERS },
    ['--max-old-space-size=8192'],
  );
  const isJson = (l: string) => l.startsWith('{');
  const ctl = (await spawnReady(controllerArgs, isJson, 60_000)).child;
  const http = `http://127.0.0.1:${String(httpPort)}`;
  const grpc = `127.0.0.1:${String(grpcPort)}`;
  const load = { before: round(loadavg()[0] ?? NaN) } as Record<string, number>;
  const rssEmpty = rssMiB(ctl.pid);
  const t0 = Date.now();
  const sim: ChildProcess = (
    await spawnReady(
      bench.simAgentsArgs(root, grpc, AGENTS, { cpus: AGENT.cpus, mem: String(AGENT.mem) }),
      (l) => l.includes('"registered"'),
      30 * 60_000,
    )
  ).child;
  const registerS = (Date.now() - t0) / 1000;
  log(`${String(AGENTS)} agents registered in ${registerS.toFixed(1)} s`);
  await storeSettled(dir);
  const rssAgents = rssMiB(ctl.pid);

  // Build-up: every framework places its share as its offers come.
  load.build_start = round(loadavg()[0] ?? NaN);
  const fws = Array.from({ length: FRAMEWORKS }, (_, i) => {
    const want = Math.max(0, Math.min(PER_FRAMEWORK, TASKS - i * PER_FRAMEWORK));
    return new HeldFramework(grpc, i, want, SHAPE, IN_FLIGHT);
  });
  const cpu0 = cpuSeconds(ctl.pid);
  const b0 = Date.now();
  await Promise.all(fws.map((f) => f.start()));
  const held = () => fws.reduce((n, f) => n + f.runningCount, 0);
  let lastLog = 0;
  const built = await until(() => {
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const sum = (pick: (f: HeldFramework) => number) => fws.reduce((n, f) => n + pick(f), 0);
      log(
        `${String(held())} of ${String(TASKS)} tasks RUNNING; frameworks: ${String(sum((f) => f.offersSeen))} offers seen, ${String(sum((f) => f.acceptsInFlight))} ACCEPTs unanswered, ${String(sum((f) => f.refused))} tasks refused, ${String(sum((f) => f.wanted))} wanted`,
      );
    }
    return Promise.resolve(held() >= TASKS);
  }, BUILD_LIMIT_MS);
  const buildS = (Date.now() - b0) / 1000;
  const buildCpu = cpuSeconds(ctl.pid) - cpu0;
  load.build_end = round(loadavg()[0] ?? NaN);
  log(`${String(held())} tasks RUNNING after ${buildS.toFixed(1)} s`);
  const storeS = await storeSettled(dir);
  log(`store settled ${storeS.toFixed(1)} s later`);
  const rssHeld = rssMiB(ctl.pid);
  const simRss = rssMiB(sim.pid);
  const knownRunning = await running(http);

  load.state = round(loadavg()[0] ?? NaN);
  const state = await timeGet(`${http}/state`, token);
  const mesosState = await timeGet(`${http}/master/state`, token);
  const dashboard = await snapshots(http);
  const stateConcurrent = await timeConcurrentGets(`${http}/state`, token, STATE_READERS);
  log(
    `/state ${String(state.ms_p50)} ms (${String(STATE_READERS)} at once: ${String(stateConcurrent.ms_all_p50)} ms), /master/state ${String(mesosState.ms_p50)} ms`,
  );
  const reads = {
    state,
    state_concurrent: stateConcurrent,
    mesos_master_state: mesosState,
    dashboard_events_snapshot: dashboard,
  };
  const base = {
    agents: AGENTS,
    tasks: TASKS,
    load_avg_1m: load,
    register_all_s: round(registerS),
    build: {
      all_running: built,
      seconds: round(buildS),
      tasks_per_s: round(held() / buildS, 1),
      controller_cpu_cores: round(buildCpu / buildS),
      relaunched: fws.reduce((n, f) => n + f.relaunched, 0),
      refused: fws.reduce((n, f) => n + f.refused, 0),
      store_settled_after_s: round(storeS),
    },
    controller: {
      rss_mib: { empty: rssEmpty, agents: rssAgents, held: rssHeld },
      kib_per_agent: round(((rssAgents - rssEmpty) * 1024) / AGENTS, 1),
      kib_per_task: round(((rssHeld - rssAgents) * 1024) / TASKS, 2),
      tasks_running_known: knownRunning,
    },
    sim_agents_rss_mib: simRss,
    ...reads,
  };
  const recovery = SKIP_RESTART
    ? undefined
    : await restartAndRecover(ctl, controllerArgs, http, fws, knownRunning, load);
  for (const f of fws) f.close();
  await stopChild(sim, 60_000);
  await stopChild(recovery?.ctl ?? ctl, STOP_LIMIT_MS);
  if (!recovery) return base;
  const rss = { ...base.controller.rss_mib, recovered: recovery.rssRecovered };
  return { ...base, controller: { ...base.controller, rss_mib: rss }, ...recovery.report };
}

/**
 * Stops the controller, starts it again on the same store and times its recovery: first
 * and all agents back, every task RUNNING again, every framework resubscribed, and an
 * explicit reconciliation of one framework's tasks answered.
 */
async function restartAndRecover(
  old: ChildProcess,
  controllerArgs: string[],
  http: string,
  fws: HeldFramework[],
  knownRunning: number,
  load: Record<string, number>,
) {
  log('restarting the controller');
  load.restart = round(loadavg()[0] ?? NaN);
  const s0 = Date.now();
  const stoppedByItself = await stopChild(old, STOP_LIMIT_MS);
  const stopS = (Date.now() - s0) / 1000;
  const r0 = Date.now();
  const ctl = (await spawnReady(controllerArgs, (l) => l.startsWith('{'), 10 * 60_000)).child;
  const servingS = (Date.now() - r0) / 1000;
  log(`controller serving after ${servingS.toFixed(1)} s`);
  const back = await agentsBack(http, token, AGENTS, r0);
  // Every task the old controller knew RUNNING (all of them, unless the build-up ran out of time).
  const tasksBack = await until(async () => (await running(http)) >= knownRunning, 5 * 60_000);
  const tasksS = (Date.now() - r0) / 1000;
  const fwsBack = await bench.frameworksBack(http, token, FRAMEWORKS);
  const frameworksS = (Date.now() - r0) / 1000;
  const probe = fws[0];
  const probeIds = probe?.runningTasks() ?? [];
  const reconcileMs = probe ? await timeReconcile(probe.client, probeIds) : NaN;
  const recoveredS = (Date.now() - r0) / 1000;
  load.recovered = round(loadavg()[0] ?? NaN);
  const rssRecovered = rssMiB(ctl.pid);
  const stateAfter = await timeGet(`${http}/state`, token);
  const nullable = (ok: boolean, x: number) => (ok && !Number.isNaN(x) ? round(x) : null);
  return {
    ctl,
    rssRecovered,
    report: {
      state_after_recovery: stateAfter,
      restart: {
        stop_s: stoppedByItself ? round(stopS) : null,
        serving_s: round(servingS),
        first_agent_back_s: nullable(true, back.firstS),
        agents_reregistered_s: nullable(back.all, back.allS),
        tasks_running_again_s: nullable(tasksBack, tasksS),
        frameworks_resubscribed_s: nullable(fwsBack, frameworksS),
        reconcile: { tasks: probeIds.length, answered_ms: nullable(true, reconcileMs) },
        all_recovered_s: round(recoveredS),
      },
    },
  };
}

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'mezzo-held-'));
let run: Record<string, unknown>;
try {
  run = await measure(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = {
  bench: 'held-tasks',
  machine: { cores: cpus().length },
  params: {
    agents: AGENTS,
    tasks: TASKS,
    frameworks: FRAMEWORKS,
    agent: { cpus: AGENT.cpus, mem_mib: AGENT.mem },
    task: { cpus: SHAPE.cpus, mem_mib: SHAPE.mem, duration: 'forever' },
    max_offers_per_framework_per_pass: MAX_OFFERS,
    accepts_in_flight_per_framework: IN_FLIGHT,
    agent_ping_interval_s: PING_S,
    allocation_interval_s: 1,
  },
  wall_s: round((Date.now() - started) / 1000, 0),
  run,
};
const text = `${JSON.stringify(result, null, 2)}\n`;
const file = flag('out', '');
if (file) writeFileSync(file, text);
process.stdout.write(text);
process.exit(0);
