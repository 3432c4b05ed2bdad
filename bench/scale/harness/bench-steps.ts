/**
 * Steps the scale benches share (scale.ts, held-tasks.ts): their flags, waiting, stopping
 * a process, and timing a restarted controller until its agents are back.
 */
import type { ChildProcess } from 'node:child_process';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { metric, readMetrics } from './proc-stats.js';

/** `--name=value` from the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

/** A line on stderr, timestamped. */
export const log = (what: string): void => {
  process.stderr.write(`# ${new Date().toISOString()} ${what}\n`);
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** The q-quantile of sorted samples (nearest rank); NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** Stops `child` (SIGTERM, SIGKILL after `limitMs`); whether it stopped by itself. */
export async function stopChild(child: ChildProcess, limitMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.pid === undefined) return true;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(limitMs).then(() => false)]);
  if (!gone) child.kill('SIGKILL');
  return gone;
}

/** Polls `cond` every 250 ms until it holds (true) or `limitMs` passes (false). */
export async function until(cond: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await cond().catch(() => false)) return true;
    await sleep(250);
  }
  return false;
}

/** How long after `r0` a restarted controller had its first and then all agents active. */
export interface AgentsBack {
  /** Seconds to the first active agent; NaN if none came back. */
  firstS: number;
  /** Seconds to the last wait's end. */
  allS: number;
  /** Whether all came back within the limit. */
  all: boolean;
}

/** Polls /metrics until `agents` agents are active again (10 minutes at most). */
export async function agentsBack(
  http: string,
  token: string,
  agents: number,
  r0: number,
): Promise<AgentsBack> {
  let seen = -1;
  let firstS = NaN;
  const active = async () => {
    const n = metric(await readMetrics(http, token), 'mezzo_controller_agents', {
      state: 'active',
    });
    if (n !== seen) log(`${String(n)} agents active`);
    if (n > 0 && Number.isNaN(firstS)) firstS = (Date.now() - r0) / 1000;
    seen = n;
    return n === agents;
  };
  const all = await until(active, 10 * 60_000);
  return { firstS, allS: (Date.now() - r0) / 1000, all };
}

/** A GET timed `n` times in a row: the median and the body's size (bytes). */
export async function timeGet(
  url: string,
  token: string,
  n = 3,
): Promise<{ ms_p50: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const s = Date.now();
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    bytes = (await r.arrayBuffer()).byteLength;
    ms.push(Date.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { ms_p50: quantile(ms, 0.5), bytes };
}

/**
 * `readers` GETs of `url` at once, `rounds` times: ms until the last of a round was read
 * whole (median over the rounds), and the bytes of one. Shows whether a server answers
 * concurrent readers of a large document from one build or one after another.
 */
export async function timeConcurrentGets(
  url: string,
  token: string,
  readers: number,
  rounds = 3,
): Promise<{ readers: number; ms_all_p50: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  const get = async () => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    bytes = (await r.arrayBuffer()).byteLength;
  };
  for (let i = 0; i < rounds; i++) {
    const s = Date.now();
    await Promise.all(Array.from({ length: readers }, get));
    ms.push(Date.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { readers, ms_all_p50: quantile(ms, 0.5), bytes };
}

/**
 * Asks `client` to reconcile `ids` explicitly (asked again until the call is taken: the
 * client may still be resubscribing) and returns the ms until every one was answered
 * with an update, or NaN after a minute.
 */
export async function timeReconcile(
  client: SchedulerClient,
  ids: readonly string[],
): Promise<number> {
  const answered = new Set<string>();
  const onUpdate = (s: { task_id: string }) => answered.add(s.task_id);
  client.on('update', onUpdate);
  try {
    const rs = Date.now();
    const refs = ids.map((task_id) => ({ task_id, agent_id: '' }));
    await until(
      () =>
        client.reconcile(refs).then(
          () => true,
          () => false,
        ),
      60_000,
    );
    const all = await until(() => Promise.resolve(ids.every((id) => answered.has(id))), 60_000);
    return all ? Date.now() - rs : NaN;
  } finally {
    client.off('update', onUpdate);
  }
}

/** Where the bench's controller listens and keeps its store, and how it is set. */
export interface ControllerPlan {
  readonly root: string;
  readonly dir: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly pingS: number;
  readonly maxOffers: number;
}

/**
 * The node arguments of the bench's controller (controller-proc.ts); `--cpu-prof-dir` and
 * `--offer-timeout-s` (default 30, to force refused ACCEPTs at small sizes) read.
 */
export function controllerArgs(p: ControllerPlan, nodeArgs: readonly string[] = []): string[] {
  const prof = flag('cpu-prof-dir', '');
  return [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
    ...nodeArgs,
    `${p.root}dist/bench/scale/harness/controller-proc.js`,
    `--work-dir=${p.dir}`,
    `--grpc-port=${String(p.grpcPort)}`,
    `--http-port=${String(p.httpPort)}`,
    `--ping-interval-ms=${String(p.pingS * 1000)}`,
    `--max-offers=${String(p.maxOffers)}`,
    `--offer-allowance=${flag('offer-allowance', 'adaptive')}`,
    `--log-level=${flag('controller-log-level', 'error')}`,
    `--offer-timeout-ms=${String(Number(flag('offer-timeout-s', '30')) * 1000)}`,
  ];
}

/** The node arguments of `mezzo sim-agents` with `count` agents of `cpus` and `mem`. */
export function simAgentsArgs(
  root: string,
  grpc: string,
  count: number,
  agent: { cpus: number; mem: string },
): string[] {
  return [
    '--max-old-space-size=8192',
    `${root}bin/mezzo.js`,
    'sim-agents',
    `--controller=${grpc}`,
    `--count=${String(count)}`,
    `--cpus=${String(agent.cpus)}`,
    `--mem=${agent.mem}`,
    `--log-level=${flag('sim-log-level', 'error')}`,
  ];
}

/** Polls /metrics until `n` frameworks are connected (5 minutes at most). */
export function frameworksBack(http: string, token: string, n: number): Promise<boolean> {
  return until(
    async () =>
      metric(await readMetrics(http, token), 'mezzo_controller_frameworks', {
        connected: 'true',
      }) >= n,
    5 * 60_000,
  );
}
