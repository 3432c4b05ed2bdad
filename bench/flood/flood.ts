/**
 * One framework flooding the controller with scheduler calls, and what another framework
 * (of another principal) sees meanwhile: the controller in this process with simulated
 * agents registered, a bystander SDK framework timing a REVIVE every 20 ms (its latency is
 * the controller's answer time; it declines its offers for an hour, so that it adds no
 * offer churn) and this process's event-loop delay, and the flooder in
 * its own process (harness/attacker.ts). Each flood kind runs twice in a row, each time on
 * a fresh controller: unpaced (`frameworkCallLimit: null`, as before) and at the
 * controller's default pace (src/controller/call-pacing.ts).
 *
 * Kinds: `revive` (64 loops of REVIVE, each call cheap) and `reconcile` (4 loops of a
 * reconciliation naming 10,000 tasks that do not exist: each call has the controller
 * write 10,000 updates). Flags: `--agents=400`, `--seconds=12` (flood time; the bystander
 * is timed from 1.5 s into it until 1.5 s before its end), `--kinds=revive,reconcile`,
 * `--quick` (6 s). The bystander and flooder authenticate as different principals.
 * Prints one JSON object. Run: `npm run bench -- flood`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { accessFromFlags } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import {
  DEFAULT_FRAMEWORK_CALL_LIMIT,
  type FrameworkCallLimit,
} from '../../src/controller/call-pacing.js';
import { Controller } from '../../src/controller/controller.js';
import { SchedulerClient } from '../../src/sdk/scheduler-client.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';
import { startSimAgents } from '../../src/sim/index.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { log, quantile, round, sleep } from '../scale/harness/bench-steps.js';

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const quick = process.argv.includes('--quick');
const AGENTS = Number(arg('agents', '400'));
const SECONDS = Number(arg('seconds', quick ? '6' : '12'));
const KINDS = arg('kinds', 'revive,reconcile').split(',');
const CONCURRENCY: Record<string, number> = { revive: 64, reconcile: 4 };
const MARGIN_MS = 1_500;
const ATTACKER = fileURLToPath(new URL('harness/attacker.js', import.meta.url));

/** The bystander's answer times and the event loop's delay over `ms`. */
async function bystanderFor(fw: SchedulerClient, ms: number) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const latencies: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t = performance.now();
    await fw.revive();
    latencies.push(performance.now() - t);
    await sleep(20);
  }
  loop.disable();
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    p50_ms: round(quantile(latencies, 0.5)),
    p99_ms: round(quantile(latencies, 0.99)),
    max_ms: round(latencies.at(-1) ?? NaN),
    event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6),
  };
}

async function run(kind: string, limit: FrameworkCallLimit | null) {
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-flood-'));
  const admin = newToken();
  const flooder = newToken();
  writeFileSync(join(dir, 'admin'), `${admin}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'tokens.csv'), `${flooder},flooder,2001,""\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'policy.yaml'),
    'rules:\n  - users: [flooder]\n    verbs: [register]\n    resources: [frameworks]\n',
  );
  const access = await accessFromFlags({
    tokenFile: join(dir, 'admin'),
    staticTokens: join(dir, 'tokens.csv'),
    authzPolicy: join(dir, 'policy.yaml'),
  });
  const clock = new SystemClock();
  const store = new EmbeddedStore(join(dir, 'state.json'), clock);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access,
    grpcPort: 0,
    httpPort: 0,
    frameworkCallLimit: limit,
  });
  await controller.start();
  const sim = await startSimAgents({
    controller: controller.grpcAddress,
    token: admin,
    zones: 1,
    count: AGENTS,
    cpus: 4,
    memMiB: 8192,
    prefix: 'flood',
  });
  await sim.allRegistered();
  const bystander = new SchedulerClient({
    address: controller.grpcAddress,
    token: admin,
    framework: {
      id: '',
      name: 'bystander',
      user: 'nobody',
      roles: ['b'],
      failover_timeout_seconds: 60,
    },
  });
  bystander.on('offers', (offers) => {
    bystander
      .decline(
        offers.map((o) => o.id),
        3_600,
      )
      .catch(() => undefined);
  });
  await bystander.start();
  try {
    const quietCpu0 = process.cpuUsage();
    const quiet = await bystanderFor(bystander, 3_000);
    const quietCpu = process.cpuUsage(quietCpu0);
    const cpu0 = process.cpuUsage();
    const child = spawn(
      process.execPath,
      [
        ATTACKER,
        controller.grpcAddress,
        flooder,
        kind,
        String(CONCURRENCY[kind] ?? 1),
        String(SECONDS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    await sleep(MARGIN_MS);
    const flooded = await bystanderFor(bystander, SECONDS * 1000 - 2 * MARGIN_MS);
    await exited;
    const cpu = process.cpuUsage(cpu0);
    const paced = await controller.core.m.frameworkCallsPaced.get();
    const count = (o: string) => paced.values.find((v) => v.labels.outcome === o)?.value ?? 0;
    return {
      kind,
      pace: limit ? `${String(limit.ratePerSecond)}/s, burst ${String(limit.burst)}` : 'unpaced',
      quiet,
      flooded,
      flooder: JSON.parse(out || '{}') as unknown,
      paced: { delayed: count('delayed'), refused: count('refused') },
      // This process: the controller, the simulated agents and the bystander.
      cpu_cores_quiet: round((quietCpu.user + quietCpu.system) / 1e6 / 3),
      cpu_cores_during_flood: round((cpu.user + cpu.system) / 1e6 / (SECONDS + MARGIN_MS / 1000)),
    };
  } finally {
    bystander.close();
    await sim.close();
    await controller.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const load = [loadavg()[0]];
  const runs: Awaited<ReturnType<typeof run>>[] = [];
  for (const kind of KINDS) {
    for (const limit of [null, DEFAULT_FRAMEWORK_CALL_LIMIT]) {
      log(`${kind}, ${limit ? 'default pace' : 'unpaced'}`);
      runs.push(await run(kind, limit));
    }
  }
  load.push(loadavg()[0]);
  const ratios = KINDS.map((kind) => {
    const [off, on] = runs.filter((r) => r.kind === kind);
    return {
      kind,
      bystander_p99_unpaced_over_paced:
        off && on ? round(off.flooded.p99_ms / on.flooded.p99_ms) : null,
      cpu_unpaced_over_paced:
        off && on ? round(off.cpu_cores_during_flood / on.cpu_cores_during_flood) : null,
    };
  });
  process.stdout.write(
    `${JSON.stringify({ bench: 'flood', agents: AGENTS, seconds: SECONDS, load_1m: load, runs, ratios }, null, 2)}\n`,
  );
}

await main();
