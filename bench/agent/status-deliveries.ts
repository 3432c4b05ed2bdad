/**
 * Status-update deliveries per task (issue 12, deliverable 8). The real controller
 * (in this process, embedded store, the store mirror writing a Task object per task) and
 * one real agent process (dist/src/agent-sidecar/main.js with its default retry settings,
 * real cgroups: needs root); a framework on the SDK that auto-acknowledges. TASKS trivial
 * tasks (`true`, default 1,000) are launched as fast as offers come; each makes three
 * updates (STARTING, RUNNING, FINISHED). Once every task is terminal at the framework and
 * the agent has nothing left unacknowledged, it prints one JSON object:
 *   - deliveries per update and per task at each hop: sent by the agent (first sends plus
 *     resends), received by the controller, forwarded to the framework, received by the
 *     framework (with a uuid), and terminal updates per task at the framework — 1.0 per
 *     update (3.0 per task, 1.0 terminal per task) means every update went once;
 *   - launch throughput: time from the first accept to every task RUNNING, to every task
 *     terminal, and to every update acknowledged.
 * Run: `npm run bench -- agent` (as root), or `node dist/bench/agent/status-deliveries.js`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import { Controller } from '../../src/controller/controller.js';
import { EmbeddedStore } from '../../src/store/embedded.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';
import { SchedulerClient } from '../../src/sdk/scheduler-client.js';
import type { Offer__Output } from '../../src/gen/mezzo/v1/Offer.js';
import type { Operation } from '../../src/gen/mezzo/v1/Operation.js';
import { cleanCgroupTrees } from '../../test/support/cgroups.js';

// The bench's controller, agent and framework share one admin token (found through the env).
const token = newToken();
process.env.MEZZO_TOKEN = token;

const AGENT_MAIN = fileURLToPath(new URL('../../src/agent-sidecar/main.js', import.meta.url));
const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR']);
const CPUS = 0.01;
const MEM = 32;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Sums every sample of a metric in a Prometheus text exposition. */
function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** p50/p99/max of `to - from` per task, in ms. */
function percentiles(from: Map<string, number>, to: Map<string, number>) {
  const d = [...to].map(([id, t]) => t - (from.get(id) ?? t)).sort((a, b) => a - b);
  const q = (x: number) =>
    d[Math.min(d.length - 1, Math.max(0, Math.ceil(x * d.length) - 1))] ?? NaN;
  return { p50: Math.round(q(0.5)), p99: Math.round(q(0.99)), max: Math.round(q(1)) };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startAgent(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  // AGENT_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the agent alone.
  const nodeArgs = (process.env.AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, AGENT_MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEZZO_LOG_LEVEL: 'warn' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    // The agent's warnings (a reconnection, say) explain figures: on stderr, beside the JSON.
    process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"event":"agent-started","port":(\d+)/.exec(out);
      if (m?.[1]) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`agent exited ${String(code)}: ${err}`)));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('status-deliveries: run as root (the agent puts tasks in cgroups)\n');
    process.exit(2);
  }
  const tasks = Number(process.env.TASKS ?? 1000);
  // The machine may be shared: its load goes with the figures.
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'mezzo-bench-deliveries-'));
  const cgroupRoot = `mezzo-bench-deliveries-${String(process.pid)}`;
  const clock = new SystemClock();
  const store = new EmbeddedStore(join(dir, 'state.json'), clock);
  const metrics = new MetricsRegistry();
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics,
    store,
    access: devAccess(token),
    grpcPort: 0,
    httpPort: 0,
  });
  await controller.start();
  const agent = await startAgent([
    '--controller',
    controller.grpcAddress,
    '--work-dir',
    join(dir, 'agent'),
    '--resources',
    `cpus:${String(tasks * CPUS + 1)};mem:${String(tasks * MEM + 1024)}`,
    '--port',
    '0',
    '--cgroup-root',
    cgroupRoot,
    '--usage-interval',
    '60',
  ]);
  const agentMetrics = async () =>
    (
      await fetch(`http://127.0.0.1:${String(agent.port)}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();

  const fw = new SchedulerClient({
    address: controller.grpcAddress,
    framework: { name: 'bench-deliveries', user: 'nobody', roles: ['bench'] },
    reconcileOnSubscribe: false,
  });
  const received = new Map<string, number>();
  const uuids = new Map<string, number>();
  const terminal = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const terminalAt = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  let t0 = 0;
  let launched = 0;
  fw.on('update', (s) => {
    if (s.uuid.length === 0) return;
    received.set(s.task_id, (received.get(s.task_id) ?? 0) + 1);
    const u = Buffer.from(s.uuid).toString('hex');
    uuids.set(u, (uuids.get(u) ?? 0) + 1);
    if (s.state === 'TASK_RUNNING' && !runningAt.has(s.task_id))
      runningAt.set(s.task_id, performance.now());
    if (TERMINAL.has(s.state)) {
      terminal.set(s.task_id, (terminal.get(s.task_id) ?? 0) + 1);
      if (!terminalAt.has(s.task_id)) terminalAt.set(s.task_id, performance.now());
    }
  });
  const onOffer = (o: Offer__Output): void => {
    const scalar = (n: string) => o.resources.find((r) => r.name === n)?.scalar ?? 0;
    const fit = Math.floor(Math.min(scalar('cpus') / CPUS, scalar('mem') / MEM) + 1e-9);
    const n = Math.min(fit, tasks - launched);
    if (n <= 0) {
      fw.decline([o.id], 60).catch(() => undefined);
      return;
    }
    const now = performance.now();
    const op: Operation = {
      type: 'LAUNCH',
      tasks: Array.from({ length: n }, (_, i) => {
        const id = `d-${String(launched + i)}`;
        acceptedAt.set(id, now);
        return {
          task_id: id,
          name: id,
          agent_id: o.agent_id,
          command: { shell: true, value: 'true' },
          resources: [
            { name: 'cpus', type: 'SCALAR' as const, scalar: CPUS },
            { name: 'mem', type: 'SCALAR' as const, scalar: MEM },
          ],
        };
      }),
    };
    launched += n;
    if (t0 === 0) t0 = now;
    fw.accept([o.id], [op], 0).catch((err: unknown) => {
      process.stderr.write(`accept failed: ${String(err)}\n`);
    });
  };
  fw.on('offers', (offers) => {
    for (const o of offers) onOffer(o);
  });
  const done = (m: Map<string, number>) => m.size >= tasks;
  try {
    await fw.start();
    await waitFor(() => done(runningAt), 600_000, 'every task RUNNING');
    await waitFor(() => done(terminalAt), 600_000, 'every task terminal');
    const terminalMs = Math.max(...terminalAt.values()) - t0;
    await waitFor(
      async () => sumMetric(await agentMetrics(), 'mezzo_agent_status_updates_pending') === 0,
      900_000,
      'every update acknowledged',
    );
    const ackedMs = performance.now() - t0;
    // Resends still on the wire when the last acknowledgement landed count once they
    // arrive (a stalled agent may fire many at once); give them a few seconds.
    const sentByAgent = async () => {
      const t = await agentMetrics();
      return (
        sumMetric(t, 'mezzo_agent_status_updates_total') +
        sumMetric(t, 'mezzo_agent_status_update_retries_total')
      );
    };
    const receivedByController = async () =>
      sumMetric(await metrics.exposition(), 'mezzo_controller_status_updates_received_total');
    await waitFor(
      async () => (await receivedByController()) >= (await sentByAgent()),
      5_000,
      'resends in flight',
    ).catch(() => undefined);
    const text = await agentMetrics();
    const generated = sumMetric(text, 'mezzo_agent_status_updates_total');
    const retries = sumMetric(text, 'mezzo_agent_status_update_retries_total');
    const ctl = await metrics.exposition();
    const hops = {
      sent_by_agent: generated + retries,
      received_by_controller: sumMetric(ctl, 'mezzo_controller_status_updates_received_total'),
      forwarded_to_framework: sumMetric(ctl, 'mezzo_controller_status_updates_forwarded_total'),
      received_by_framework: [...received.values()].reduce((a, b) => a + b, 0),
    };
    const per = (d: number) =>
      Object.fromEntries(Object.entries(hops).map(([k, v]) => [k, round(v / d)]));
    const runningMs = Math.max(...runningAt.values()) - t0;
    const dupes = [...uuids.values()].filter((n) => n > 1).length;
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'agent-status-deliveries',
          tasks,
          cpus: availableParallelism(),
          load_average_1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
          command: 'true',
          updates_generated: generated,
          agent_resends: retries,
          per_update: per(generated),
          per_task: {
            ...per(tasks),
            terminal_at_framework: round([...terminal.values()].reduce((a, b) => a + b, 0) / tasks),
          },
          updates_delivered_more_than_once: dupes,
          // A reconnection resends every unacknowledged head: more than 1 explains resends.
          agent_registrations: sumMetric(text, 'mezzo_agent_registrations_total'),
          agent_refusals: sumMetric(ctl, 'mezzo_controller_agent_refusals_total'),
          updates_unrecorded: sumMetric(ctl, 'mezzo_controller_status_updates_unrecorded_total'),
          launch: {
            all_running_ms: Math.round(runningMs),
            launches_per_second: round((tasks / runningMs) * 1000),
            all_terminal_ms: Math.round(terminalMs),
            all_acknowledged_ms: Math.round(ackedMs),
            tasks_per_second: round((tasks / terminalMs) * 1000),
            accept_to_running_ms: percentiles(acceptedAt, runningAt),
            accept_to_terminal_ms: percentiles(acceptedAt, terminalAt),
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    fw.close();
    agent.child.kill('SIGTERM');
    await new Promise((r) => agent.child.once('exit', r));
    await controller.stop();
    await store.close();
    await cleanCgroupTrees(cgroupRoot);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
