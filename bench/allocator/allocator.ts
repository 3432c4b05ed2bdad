/**
 * Allocator benchmark (issue 3), in the shapes of Mesos' hierarchical allocator
 * benchmarks: agents × frameworks sweeps, with and without quota, measuring
 *   - fullPassMs: one full allocation pass over a fresh cluster (every agent is offered);
 *   - incrementalMs: runPending() after one agent changes (an offer on it is declined),
 *     p50/p90/p99 over 500 repetitions after 200 warm-up ones (on a shared 2-core
 *     machine the tail is mostly other processes and GC, the median is the allocator);
 *   - churn: decline (with a 5 s refuse filter) and re-offer cycles per second;
 *   - heapMiB: heap in use with the whole cluster allocated (after a GC when exposed).
 * Prints one JSON object. Run:
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/allocator/allocator.js [--quick]
 * `--quick` stops at 10,000 agents; `--agents 50000 --frameworks 200` runs one shape.
 */
import { performance } from 'node:perf_hooks';
import { HierarchicalAllocator, Resources } from '../../src/allocator/index.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';

interface Shape {
  agents: number;
  frameworks: number;
  quota: boolean;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function run(shape: Shape): Record<string, unknown> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let now = 0;
  const clock = { now: () => now };
  // Offers per framework and agent, so that the benchmark can decline them.
  const held = new Map<string, Map<string, Resources>>();
  let offersMade = 0;
  const allocator = new HierarchicalAllocator({
    clock,
    seed: 1,
    metrics: new MetricsRegistry(),
    hrtime: () => performance.now(),
    offerCallback: (fw, offers) => {
      let m = held.get(fw);
      if (!m) {
        m = new Map();
        held.set(fw, m);
      }
      for (const o of offers) m.set(o.agentId, o.resources);
      offersMade += offers.length;
    },
  });
  const agentResources = Resources.parse('cpus:16;mem:65536;disk:102400;ports:[31000-32000]');
  allocator.pause();
  const setupStart = performance.now();
  // One role per framework: the worst case for the role sorter.
  for (let f = 0; f < shape.frameworks; f++) {
    allocator.addFramework(`fw-${f}`, { roles: [`role-${f}`] }, new Map());
    if (shape.quota && f % 2 === 0) {
      // Half the roles hold a guarantee of two agents' worth and a limit of 20 agents'.
      allocator.updateQuota(`role-${f}`, {
        guarantee: Resources.parse('cpus:32;mem:131072'),
        limit: Resources.parse('cpus:320;mem:1310720'),
      });
    }
  }
  for (let a = 0; a < shape.agents; a++) {
    allocator.addAgent(`agent-${a}`, { hostname: `host-${a}` }, agentResources, new Map());
  }
  const setupMs = performance.now() - setupStart;
  allocator.resume();

  let t = performance.now();
  allocator.allocate();
  const fullPassMs = performance.now() - t;
  const offersInFullPass = offersMade;
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  // Incremental: one framework declines one agent (no filter); the next pass re-offers it.
  // The first 200 passes warm the JIT up (new code paths get optimized, sometimes
  // deoptimized once) and are not measured: the figure is the steady state.
  const fwIds = [...held.keys()];
  const samples: number[] = [];
  for (let i = 0; i < 700; i++) {
    const fw = fwIds[i % fwIds.length] ?? '';
    const offers = held.get(fw);
    const first = offers?.entries().next().value;
    if (!offers || !first) continue;
    const [agentId, res] = first;
    offers.delete(agentId);
    allocator.recoverResources(fw, agentId, res);
    t = performance.now();
    allocator.runPending();
    if (i >= 200) samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);

  // Churn: decline with a refuse filter, re-offer to someone else, repeat.
  const churnOps = 2000;
  t = performance.now();
  let done = 0;
  for (let i = 0; i < churnOps; i++) {
    const fw = fwIds[(i * 7) % fwIds.length] ?? '';
    const offers = held.get(fw);
    const first = offers?.entries().next().value;
    if (!offers || !first) continue;
    const [agentId, res] = first;
    offers.delete(agentId);
    allocator.recoverResources(fw, agentId, res, { refuseSeconds: 5 });
    allocator.runPending();
    done++;
    now += 1;
  }
  const churnMs = performance.now() - t;
  return {
    ...shape,
    setupMs: r3(setupMs),
    fullPassMs: r3(fullPassMs),
    offersInFullPass,
    incrementalMs: {
      p50: r3(quantile(samples, 0.5)),
      p90: r3(quantile(samples, 0.9)),
      p99: r3(quantile(samples, 0.99)),
    },
    churn: {
      cycles: done,
      perSecond: Math.round((done / churnMs) * 1000),
      avgMs: r3(churnMs / done),
    },
    heapMiB: r3(heapMiB),
  };
}

/**
 * Resource arithmetic alone: an agent's resources less one task's and back, as every
 * offer, accept, decline and allocation does (median of 5 rounds of 100,000 pairs).
 */
function arithmetic(): Record<string, unknown> {
  const agent = Resources.parse('cpus:4;mem:8192;disk:10000;ports:[31000-32000]');
  const task = Resources.parse('cpus:0.1;mem:64');
  const rounds: number[] = [];
  let r = agent;
  for (let round = 0; round < 6; round++) {
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) r = r.subtract(task).add(task);
    if (round > 0) rounds.push(((performance.now() - t0) * 1e6) / 200_000); // first: warm-up
  }
  rounds.sort((a, b) => a - b);
  if (!r.equals(agent)) throw new Error('resource arithmetic drifted');
  return { ops: 'subtract, add', nsPerOp: r3(quantile(rounds, 0.5)) };
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const oneAgents = arg('--agents');
  const oneFrameworks = arg('--frameworks');
  const shapes: Shape[] = [];
  if (oneAgents || oneFrameworks) {
    const agents = Number(oneAgents ?? 50000);
    const frameworks = Number(oneFrameworks ?? 200);
    shapes.push({ agents, frameworks, quota: false }, { agents, frameworks, quota: true });
  } else {
    const agentSweep = quick ? [1000, 10000] : [1000, 10000, 50000];
    const frameworkSweep = quick ? [200] : [200, 1000];
    for (const agents of agentSweep) {
      for (const frameworks of frameworkSweep) {
        for (const quota of [false, true]) shapes.push({ agents, frameworks, quota });
      }
    }
  }
  const resourceArithmetic = arithmetic();
  const results = shapes.map((s) => run(s));
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'allocator', node: process.version, gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function', resourceArithmetic, results }, null, 2)}\n`,
  );
}

main();
