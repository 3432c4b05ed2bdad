/**
 * The agent launch bench's burst, before and after a change, in one run: alternates
 * `node <dir>/bench/agent/launch.js` of two builds (BEFORE, a copy of the base's `dist/`
 * inside this checkout so that it finds node_modules and proto/; AFTER, default `dist`)
 * ROUNDS times each (default 3), starting with AFTER, and prints one JSON object: every
 * run's burst figures with the 1-minute load average when it started, and per build the
 * median of each figure. Alternating spreads the load other work puts on the machine
 * over both builds. Needs root (real cgroups). BURST sets the burst's size (default 1,000).
 * In a subfolder so that `npm run bench -- agent` (which runs the suite's top-level files)
 * does not run it: it needs a BEFORE build.
 *
 *   cp -a dist .tmp/before   # on the base commit, after `npm run build`
 *   npx tsc -p tsconfig.json && BEFORE=.tmp/before node dist/bench/agent/compare/before-after.js
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

interface BurstFigures {
  tasks_per_second: number;
  launch_to_running_ms: { p50: number; p99: number };
  launch_to_finished_ms: { p50: number; p99: number };
  cpu_ms_per_task: number;
  agent_process_cpu_ms_per_task?: number;
  other_processes_cpu_ms_per_task?: number;
  failed: number;
  [k: string]: unknown;
}

/** Runs one build's burst; undefined (with the reason on stderr) when it failed. */
function runOnce(dir: string, burst: number): BurstFigures | undefined {
  const r = spawnSync(process.execPath, [join(dir, 'bench', 'agent', 'launch.js')], {
    env: { ...process.env, SAMPLES: '0', CONCURRENT: '0', BURST: String(burst) },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: 900_000,
  });
  if (r.status !== 0) {
    process.stderr.write(`${dir}: exit ${String(r.status)}\n${r.stderr.slice(-2000)}\n`);
    return undefined;
  }
  return (JSON.parse(r.stdout) as { burst: BurstFigures }).burst;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return Math.round((m ?? NaN) * 100) / 100;
}

function medians(runs: BurstFigures[]): Record<string, number> {
  const pick = (f: (b: BurstFigures) => number): number => median(runs.map(f));
  return {
    tasks_per_second: pick((b) => b.tasks_per_second),
    launch_to_running_p50_ms: pick((b) => b.launch_to_running_ms.p50),
    launch_to_running_p99_ms: pick((b) => b.launch_to_running_ms.p99),
    launch_to_finished_p50_ms: pick((b) => b.launch_to_finished_ms.p50),
    launch_to_finished_p99_ms: pick((b) => b.launch_to_finished_ms.p99),
    cpu_ms_per_task: pick((b) => b.cpu_ms_per_task),
    agent_process_cpu_ms_per_task: pick((b) => b.agent_process_cpu_ms_per_task ?? NaN),
    other_processes_cpu_ms_per_task: pick((b) => b.other_processes_cpu_ms_per_task ?? NaN),
  };
}

const before = process.env.BEFORE ?? '.tmp/before';
const after = process.env.AFTER ?? 'dist';
const rounds = Number(process.env.ROUNDS ?? 3);
const burst = Number(process.env.BURST ?? 1000);
const runs: { build: 'before' | 'after'; load_average_1m: number; burst: BurstFigures }[] = [];
for (let i = 0; i < rounds; i++) {
  for (const [build, dir] of [
    ['after', after],
    ['before', before],
  ] as const) {
    const load = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const b = runOnce(dir, burst);
    if (b) runs.push({ build, load_average_1m: load, burst: b });
  }
}
const of = (build: string): BurstFigures[] =>
  runs.filter((r) => r.build === build).map((r) => r.burst);
const [mb, ma] = [medians(of('before')), medians(of('after'))];
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: 'agent-launch-before-after',
      burst,
      rounds,
      runs,
      median: { before: mb, after: ma },
      after_over_before_tasks_per_second:
        Math.round(((ma.tasks_per_second ?? NaN) / (mb.tasks_per_second ?? NaN)) * 100) / 100,
    },
    null,
    2,
  )}\n`,
);
