/**
 * `npm start` start-up (issue 12): how long from starting `mezzo dev --demo` until every
 * demo task has run (TASK_RUNNING, or already TASK_FINISHED for `hello`). Each of `RUNS`
 * (default 3) runs is a fresh process on free ports with a fresh work dir and cgroup root,
 * polled through GET /state every 10 ms; its tasks are killed and its dirs removed after.
 * Root gives real cgroups, as `npm start` as root does. Prints one JSON object.
 * Run: `npm run bench -- dev` (or `node dist/bench/dev/demo-startup.js` after a build).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanCgroupTrees } from '../../test/support/cgroups.js';
import { MEZZO_BIN } from '../../test/support/dev-process.js';
import { freePort } from '../../test/support/net.js';

const DEMO_TASKS = ['hello', 'ticker', 'web'];
const RAN = new Set(['TASK_RUNNING', 'TASK_FINISHED']);

interface Run {
  /** Spawn to the first answer of GET /state. */
  serving_ms: number;
  /** Spawn to each demo task first seen running (or finished). */
  task_ms: Record<string, number>;
  /** Spawn to the last of them. */
  all_running_ms: number;
  /** First answer of GET /state to the last of them: Mezzo's part, without Node's start. */
  after_serving_ms: number;
}

const round = (x: number): number => Math.round(x);

async function once(): Promise<Run> {
  const port = await freePort();
  const grpcPort = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), 'mezzo-bench-demo-'));
  const cgroupRoot = `mezzo-bench-demo-${String(process.pid)}-${String(port)}`;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      MEZZO_BIN,
      'dev',
      '--demo',
      ...['--port', String(port), '--grpc-port', String(grpcPort)],
      ...['--work-dir', workDir, '--cgroup-root', cgroupRoot],
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    let serving = 0;
    const seen = new Map<string, number>();
    while (seen.size < DEMO_TASKS.length) {
      if (performance.now() - t0 > 30_000)
        throw new Error(`demo not running: ${[...seen.keys()].join(',')}`);
      const state = await fetch(`http://127.0.0.1:${String(port)}/state`)
        .then((r) => r.json() as Promise<{ tasks: { name: string; state: string }[] }>)
        .catch(() => undefined);
      const now = performance.now() - t0;
      if (state && serving === 0) serving = now;
      for (const t of state?.tasks ?? []) {
        if (DEMO_TASKS.includes(t.name) && RAN.has(t.state) && !seen.has(t.name))
          seen.set(t.name, now);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return {
      serving_ms: round(serving),
      task_ms: Object.fromEntries([...seen].map(([k, v]) => [k, round(v)])),
      all_running_ms: round(Math.max(...seen.values())),
      after_serving_ms: round(Math.max(...seen.values()) - serving),
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await cleanCgroupTrees(cgroupRoot);
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) runs.push(await once());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'dev-demo-startup',
      root: process.getuid?.() === 0,
      cpus: cpus().length,
      // The figures stretch with the machine's load; this says what it was.
      loadavg_1m: Math.round(loadavg()[0] ?? 0),
      median_all_running_ms: median(runs.map((r) => r.all_running_ms)),
      median_after_serving_ms: median(runs.map((r) => r.after_serving_ms)),
      runs,
    })}\n`,
  );
}

await main();
