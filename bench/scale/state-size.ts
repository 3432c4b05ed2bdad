/**
 * /state and memory at the top end (issue 17 item 5): a controller core holding
 * `--agents` agents (4 cpus, 8 GiB, a zone) and `--tasks` running tasks spread over them
 * and over `--frameworks` frameworks, built through the real registration path
 * (registerAgent, then a re-registration reporting each agent's tasks, as after a
 * controller restart) but without gRPC streams or a store. Prints one JSON object: heap
 * per agent and per task (run with --expose-gc for exact figures), and the /state
 * document's size and build time as the route serves it (UTF-8 bytes): the first build,
 * later builds after 1 % of the tasks changed state, a build after no change, and the
 * whole document built afresh each time (the way before json-fragments.ts) for comparison.
 */
import { cpus, loadavg } from 'node:os';
import { stateBytes, stateOf } from '../../src/controller/http/state.js';
import { addAgents, addTasks, frameworksCore } from '../../test/support/synthetic-core.js';

function flag(name: string, fallback: string): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return Number(a ? a.slice(name.length + 3) : fallback);
}
const AGENTS = flag('agents', '50000');
const TASKS = flag('tasks', '100000');
const FRAMEWORKS = flag('frameworks', '200');
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const gc = (globalThis as { gc?: () => void }).gc;
function heapMiB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const heap0 = heapMiB();
const core = frameworksCore(FRAMEWORKS);

const t0 = performance.now();
addAgents(core, AGENTS);
const registerMs = performance.now() - t0;
const heapAgents = heapMiB();

// Each agent re-registers reporting its share of the running tasks.
const t1 = performance.now();
addTasks(core, AGENTS, TASKS);
const reregisterMs = performance.now() - t1;
const heapTasks = heapMiB();

/** Wall and CPU time of `fn` (on a shared machine the CPU time is the steadier figure). */
function timed<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const s = performance.now();
  const c = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(c);
  return { ms: performance.now() - s, cpuMs: (used.user + used.system) / 1000, value };
}

const first = timed(() => stateBytes(core));
const warm: number[] = [];
const unchanged: number[] = [];
const unchangedCpu: number[] = [];
const fresh: number[] = [];
const warmCpu: number[] = [];
const freshCpu: number[] = [];
const all = [...core.tasks.values()];
for (let round_ = 0; round_ < 5; round_++) {
  // 1 % of the tasks get a new status between two reads.
  for (let k = 0; k < all.length / 100; k++) {
    const t = all[Math.floor(Math.random() * all.length)];
    if (t?.status) core.applyStatus({ ...t.status, message: `tick ${String(round_)}` });
  }
  const w = timed(() => stateBytes(core));
  const u = timed(() => stateBytes(core));
  unchanged.push(u.ms);
  unchangedCpu.push(u.cpuMs);
  const f = timed(() => Buffer.from(JSON.stringify(stateOf(core)), 'utf8'));
  warm.push(w.ms);
  warmCpu.push(w.cpuMs);
  fresh.push(f.ms);
  freshCpu.push(f.cpuMs);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const same = stateBytes(core).toString('utf8') === JSON.stringify(stateOf(core));

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'scale-state',
      machine: { cores: cpus().length },
      load_avg_1m: round(loadavg()[0] ?? NaN, 2),
      exact_heap: gc !== undefined,
      agents: AGENTS,
      tasks: core.tasks.size,
      frameworks: FRAMEWORKS,
      register_ms: round(registerMs),
      reregister_with_tasks_ms: round(reregisterMs),
      heap_mib: { empty: round(heap0), agents: round(heapAgents), tasks: round(heapTasks) },
      kib_per_agent: round(((heapAgents - heap0) * 1024) / AGENTS, 2),
      kib_per_task: round(((heapTasks - heapAgents) * 1024) / Math.max(1, core.tasks.size), 2),
      state: {
        bytes: first.value.length,
        first_build_ms: round(first.ms),
        first_build_cpu_ms: round(first.cpuMs),
        after_1pct_changed_ms_p50: round(median(warm)),
        after_1pct_changed_cpu_ms_p50: round(median(warmCpu)),
        unchanged_ms_p50: round(median(unchanged)),
        unchanged_cpu_ms_p50: round(median(unchangedCpu)),
        rebuilt_whole_ms_p50: round(median(fresh)),
        rebuilt_whole_cpu_ms_p50: round(median(freshCpu)),
        same_document: same,
      },
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
