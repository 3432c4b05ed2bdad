/**
 * /state and memory at the top end (issue 17 item 5): a controller core holding
 * `--agents` agents (4 cpus, 8 GiB, a zone) and `--tasks` running tasks spread over them
 * and over `--frameworks` frameworks, built through the real registration path
 * (registerAgent, then a re-registration reporting each agent's tasks, as after a
 * controller restart) but without gRPC streams or a store. Prints one JSON object: heap
 * per agent and per task (run with --expose-gc for exact figures), and the /state
 * document's size and build time: the first build, later builds after 1 % of the tasks
 * changed state, and the whole document built afresh each time (the way before
 * json-fragments.ts) for comparison.
 */
import { cpus, loadavg } from 'node:os';
import { ControllerCore } from '../../src/controller/core.js';
import { registerAgent } from '../../src/controller/agent-registration.js';
import { stateJson, stateOf } from '../../src/controller/http/state.js';
import type { AgentStream, FrameworkRecord } from '../../src/controller/records.js';
import type { AgentInfo__Output } from '../../src/gen/mezzo/v1/AgentInfo.js';
import type { TaskInfo__Output } from '../../src/gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus__Output } from '../../src/gen/mezzo/v1/TaskStatus.js';
import { SystemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';

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

// Registration writes to the stream; nothing reads it here.
const sink = { write: () => true, end: () => undefined } as unknown as AgentStream;
const core = new ControllerCore({
  clock: new SystemClock(),
  logger: silentLogger(),
  metrics: new MetricsRegistry(),
  // No ping fires during the run.
  agentPingIntervalMs: 3_600_000,
  agentPingTimeoutMs: 18_000_000,
});

const heap0 = heapMiB();
for (let f = 0; f < FRAMEWORKS; f++) {
  const id = `fw-${String(f)}`;
  const rec: FrameworkRecord = {
    id,
    info: {
      id,
      name: `scale-${String(f)}`,
      user: 'nobody',
      roles: ['scale'],
    } as FrameworkRecord['info'],
    roles: ['scale'],
    streamId: '',
    stream: undefined,
    connected: true,
    failoverTimer: undefined,
    heartbeatTimer: undefined,
    tasks: new Set(),
    registeredAt: Date.now(),
  };
  core.frameworks.set(id, rec);
  core.allocator.addFramework(id, { roles: ['scale'] }, new Map());
}

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: value });
const infoOf = (i: number): AgentInfo__Output =>
  ({
    id: `agent-${String(i)}`,
    hostname: `sim-${String(i + 1)}`,
    node_name: `sim-${String(i + 1)}`,
    resources: [scalar('cpus', 4), scalar('mem', 8192)],
    attributes: [{ name: 'zone', text: ['a', 'b', 'c'][i % 3] ?? 'a' }],
    address: '',
    version: '0.1.0-sim',
    default_user: 'nobody',
  }) as unknown as AgentInfo__Output;

const t0 = performance.now();
for (let i = 0; i < AGENTS; i++) registerAgent(core, sink, infoOf(i), [], []);
const registerMs = performance.now() - t0;
const heapAgents = heapMiB();

// Each agent re-registers reporting its share of the running tasks.
const t1 = performance.now();
for (let i = 0; i < AGENTS; i++) {
  const tasks: TaskInfo__Output[] = [];
  const statuses: TaskStatus__Output[] = [];
  for (let t = i; t < TASKS; t += AGENTS) {
    const id = `task-${String(t)}`;
    const framework_id = `fw-${String(t % FRAMEWORKS)}`;
    tasks.push({
      task_id: id,
      name: id,
      framework_id,
      agent_id: `agent-${String(i)}`,
      resources: [scalar('cpus', 1), scalar('mem', 512)],
      command: { shell: true, value: 'true' },
      labels: { 'sim.mezzo.dev/duration': 'forever' },
    } as unknown as TaskInfo__Output);
    statuses.push({
      task_id: id,
      framework_id,
      agent_id: `agent-${String(i)}`,
      state: 'TASK_RUNNING',
      reason: 'REASON_UNSPECIFIED',
      message: '',
      source: 'SOURCE_AGENT',
      timestamp: Date.now() / 1000,
      uuid: Buffer.from(id),
    } as unknown as TaskStatus__Output);
  }
  registerAgent(core, sink, infoOf(i), tasks, statuses);
}
const reregisterMs = performance.now() - t1;
for (const t of core.tasks.values()) core.frameworks.get(t.frameworkId)?.tasks.add(t.id);
const heapTasks = heapMiB();

/** Wall and CPU time of `fn` (on a shared machine the CPU time is the steadier figure). */
function timed<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const s = performance.now();
  const c = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(c);
  return { ms: performance.now() - s, cpuMs: (used.user + used.system) / 1000, value };
}

const first = timed(() => stateJson(core));
const warm: number[] = [];
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
  const w = timed(() => stateJson(core));
  const f = timed(() => JSON.stringify(stateOf(core)));
  warm.push(w.ms);
  warmCpu.push(w.cpuMs);
  fresh.push(f.ms);
  freshCpu.push(f.cpuMs);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const same = stateJson(core) === JSON.stringify(stateOf(core));

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
