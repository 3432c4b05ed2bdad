/**
 * Agent launch benchmark (issue 4). A fake controller on loopback drives an in-process
 * agent with real cgroups (needs root):
 *   1. latency: `samples` trivial tasks (`true`) launched one after another; the time
 *      from sending LaunchTask to receiving TASK_RUNNING at the controller;
 *   2. throughput: 100 tasks (`exec sleep 60`) launched at once; launches per second
 *      until all 100 are RUNNING (and all 100 run concurrently);
 *   3. burst (issue 17 item 6): BURST trivial tasks (`true`, default 1,000) launched at
 *      once; tasks per second until every one is FINISHED, and per task the time from
 *      the launch to RUNNING and to FINISHED at the controller (p50/p99/max).
 * Prints one JSON object with the machine's load average and the work directory's file
 * system (TMPDIR chooses where it is made). Run: `npm run bench -- agent`
 * or `npx tsc -p tsconfig.json && node dist/bench/agent/launch.js` (as root; SAMPLES,
 * CONCURRENT and BURST override the sizes, 0 skips a part).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent-sidecar/agent.js';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import { createLogger } from '../../src/shared/logger.js';
import { defaultConfig } from '../../src/agent-sidecar/config.js';
import { FakeController, shellTask } from '../../test/integration/agent/support/fake-controller.js';
import { cleanCgroupTrees } from '../../test/support/cgroups.js';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Milliseconds from `sent` to the first delivery of `state` for each task, sorted. */
function latencies(c: FakeController, ids: string[], sent: number, state: string): number[] {
  return ids
    .map((id) => (c.deliveries.get(id) ?? []).find((d) => d.status.state === state)?.at ?? NaN)
    .map((at) => at - sent)
    .sort((a, b) => a - b);
}

const percentiles = (xs: number[]) => ({
  p50: round(quantile(xs, 0.5)),
  p99: round(quantile(xs, 0.99)),
  max: round(xs.at(-1) ?? NaN),
});

/**
 * A cpuacct cgroup holding this process and (below it) every task cgroup, so that its
 * usage counts the CPU of everything a launch costs: the agent, the fake controller, the
 * launcher, supervisors, setsid/setpriv/env and the tasks. The machine may be shared, so
 * CPU per task says more than tasks per second: 2 cores / (CPU per task) bounds the rate.
 */
const ACCT = '/sys/fs/cgroup/cpuacct';
const acctGroup = `mezzo-bench-acct-${String(process.pid)}`;
function enterAcct(): boolean {
  if (!existsSync(join(ACCT, 'cpuacct.usage'))) return false;
  mkdirSync(join(ACCT, acctGroup), { recursive: true });
  writeFileSync(join(ACCT, acctGroup, 'cgroup.procs'), String(process.pid));
  return true;
}
function acctUsageMs(): number {
  return Number(readFileSync(join(ACCT, acctGroup, 'cpuacct.usage'), 'utf8')) / 1e6;
}
function leaveAcct(): void {
  writeFileSync(join(ACCT, 'cgroup.procs'), String(process.pid));
}

/** Part 3: `n` trivial tasks at once, until every one is FINISHED. */
async function runBurst(
  controller: FakeController,
  n: number,
  accounting: boolean,
): Promise<object | undefined> {
  if (n <= 0) return undefined;
  const ids = Array.from({ length: n }, (_, i) => `burst-${String(i)}`);
  const cpu0 = accounting ? acctUsageMs() : NaN;
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  for (const id of ids)
    controller.launch(shellTask(id, 'true', { cpus: 0.01, mem: 8 }), 'fw-1', 'nobody');
  let finished = 0;
  await controller.waitFor(
    () => {
      // Counted incrementally: a full scan per message would be quadratic in the burst.
      while (finished < n && controller.latest(ids[finished] ?? '')?.state === 'TASK_FINISHED')
        finished++;
      return finished >= n;
    },
    600_000,
    'every burst task FINISHED',
  );
  const cpuMs = accounting ? acctUsageMs() - cpu0 : NaN;
  const own = process.cpuUsage(own0);
  // This process: the agent (main thread, threadpool, GC), the fake controller, the bench.
  const ownMs = (own.user + own.system) / 1000;
  const running = latencies(controller, ids, t0, 'TASK_RUNNING');
  const done = latencies(controller, ids, t0, 'TASK_FINISHED');
  const allMs = done.at(-1) ?? NaN;
  return {
    command: 'true',
    user: 'nobody',
    tasks: n,
    all_finished_ms: round(allMs),
    tasks_per_second: round((n / allMs) * 1000),
    launch_to_running_ms: percentiles(running),
    launch_to_finished_ms: percentiles(done),
    failed: ids.filter((id) => controller.latest(id)?.state !== 'TASK_FINISHED').length,
    // Everything in the bench's cpuacct cgroup (see enterAcct), per task.
    cpu_ms_per_task: round(cpuMs / n),
    // Split: the Node process (agent + fake controller) and the rest (launcher,
    // supervisors, setsid/setpriv/env, the tasks, and kernel work charged to them).
    agent_process_cpu_ms_per_task: round(ownMs / n),
    other_processes_cpu_ms_per_task: round((cpuMs - ownMs) / n),
    tasks_per_second_at_2_cores_bound: round((2000 * n) / cpuMs),
  };
}

/**
 * The file system the work directory is on (its mount in /proc/self/mounts), and for ext3
 * and ext4 whether it has a journal (jbd2 lists journaled devices under /proc/fs/jbd2).
 * It moves CPU per task by half here: without a journal ext4 skips, one by one, the
 * inodes freed in the last 60 s (360 s while their inode-table block is dirty) when it
 * allocates one (`recently_deleted`), so a run after another's teardown costs more.
 */
function workDirFs(dir: string): { path: string; fs: string; journal: boolean | null } {
  let best = { mount: '', dev: '', fs: '' };
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [dev = '', mount = '', fs = ''] = line.split(' ');
    const under = dir === mount || dir.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
    if (under && mount.length > best.mount.length) best = { mount, dev, fs };
  }
  const ext = best.fs === 'ext4' || best.fs === 'ext3';
  const dev = best.dev.split('/').pop() ?? '';
  return {
    path: dir,
    fs: best.fs,
    journal: ext ? readdirSync('/proc/fs/jbd2').some((d) => d.startsWith(`${dev}-`)) : null,
  };
}

async function main(): Promise<void> {
  const samples = Number(process.env.SAMPLES ?? 200);
  const concurrent = Number(process.env.CONCURRENT ?? 100);
  const burst = Number(process.env.BURST ?? 1000);
  const loadBefore = loadavg()[0] ?? 0;
  const accounting = enterAcct();
  const token = newToken();
  const controller = new FakeController('bench-agent', 5);
  await controller.start();
  const workDir = mkdtempSync(join(tmpdir(), 'mezzo-bench-'));
  const agent = new Agent(
    defaultConfig({
      workDir,
      controllers: [controller.address],
      // Below the accounting cgroup (when there is one), so tasks' CPU is counted there.
      cgroupRoot: accounting ? `${acctGroup}/t` : `mezzo-bench-${String(process.pid)}`,
      usageIntervalSeconds: 30,
    }),
    { access: devAccess(token), ...(process.env.BENCH_LOG ? { logger: createLogger() } : {}) },
  );
  await agent.start();
  await controller.waitFor(() => agent.isRegistered, 10_000, 'registration');
  const whenRunning = new Map<string, number>();
  const poll = (): void => {
    for (const [id, ds] of controller.deliveries) {
      if (!whenRunning.has(id) && ds.some((d) => d.status.state === 'TASK_RUNNING')) {
        whenRunning.set(id, performance.now());
      }
    }
  };
  try {
    // Warm-up.
    for (let i = 0; i < 5; i++) {
      controller.launch(shellTask(`warm-${String(i)}`, 'true'));
      await controller.waitForState(`warm-${String(i)}`, 'TASK_FINISHED');
    }
    const lat: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = `lat-${String(i)}`;
      const t0 = performance.now();
      controller.launch(shellTask(id, 'true'));
      await controller.waitFor(
        () => {
          poll();
          return whenRunning.has(id);
        },
        10_000,
        id,
      );
      lat.push((whenRunning.get(id) ?? t0) - t0);
    }
    await controller.waitFor(
      () => lat.every((_, i) => controller.latest(`lat-${String(i)}`)?.state === 'TASK_FINISHED'),
      30_000,
      'latency tasks to finish',
    );
    lat.sort((a, b) => a - b);

    const ids = Array.from({ length: concurrent }, (_, i) => `par-${String(i)}`);
    const t0 = performance.now();
    for (const id of ids) controller.launch(shellTask(id, 'exec sleep 60', { cpus: 0.01, mem: 8 }));
    await controller.waitFor(
      () => {
        poll();
        return ids.every((id) => whenRunning.has(id));
      },
      60_000,
      'all concurrent tasks RUNNING',
    );
    const allRunningMs = Math.max(...ids.map((id) => whenRunning.get(id) ?? 0)) - t0;
    const state = (await (
      await fetch(`http://127.0.0.1:${String(agent.port)}/state`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      tasks: { taskId: string; phase: string }[];
    };
    const running = state.tasks.filter(
      (x) => x.taskId.startsWith('par-') && x.phase === 'running',
    ).length;
    const parLat = ids.map((id) => (whenRunning.get(id) ?? 0) - t0).sort((a, b) => a - b);
    for (const id of ids) controller.kill(id, 'fw-1', 0);
    await controller.waitFor(
      () => ids.every((id) => controller.latest(id)?.state === 'TASK_KILLED'),
      60_000,
      'concurrent tasks killed',
    );
    const burstFigures = await runBurst(controller, burst, accounting);
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'agent-launch',
          cgroups: agent.cgroupVersion,
          latency: {
            command: 'true',
            samples,
            launch_to_running_ms: {
              median: round(quantile(lat, 0.5)),
              p90: round(quantile(lat, 0.9)),
              p99: round(quantile(lat, 0.99)),
              max: round(lat.at(-1) ?? NaN),
            },
          },
          load_average_1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
          work_dir: workDirFs(workDir),
          cpus: availableParallelism(),
          throughput: {
            command: 'exec sleep 60',
            concurrent,
            concurrently_running: running,
            all_running_ms: round(allRunningMs),
            launches_per_second: round((concurrent / allRunningMs) * 1000),
            launch_to_running_ms: {
              median: round(quantile(parLat, 0.5)),
              p99: round(quantile(parLat, 0.99)),
            },
          },
          burst: burstFigures,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await agent.stop();
    await agent.destroyAllTasks();
    await controller.stop();
    await rm(workDir, { recursive: true, force: true });
    if (accounting) {
      // Out first: the clean-up kills whatever is left in the tree.
      leaveAcct();
      await cleanCgroupTrees(acctGroup);
    }
  }
}

await main();
