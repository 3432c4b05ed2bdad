/**
 * Helpers for the tests that run the chart on the e2e node (test/e2e/node.sh): polling
 * the real cluster, reading objects as JSON, and finding a task's processes through its
 * cgroup on the host (the agent pod shares the host's PID namespace and cgroup tree).
 */
import { readdirSync, readFileSync, rmdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from '../support/control-plane.js';
import { parseStat, type ProcStat } from '../../../src/agent-sidecar/procfs.js';

/** Polls `probe` until it returns a value other than undefined, or fails naming `what`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last error: ${String(last)})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `kubectl get … -o json`, parsed. */
export async function getJson<T>(cp: ControlPlane, args: string[]): Promise<T> {
  const { stdout } = await cp.kubectl(['get', ...args, '-o', 'json']);
  return JSON.parse(stdout) as T;
}

/** The fields of a pod the tests read. */
export interface Pod {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
  };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; restartCount: number }[];
  };
}

/** Whether the pod's Ready condition is True. */
export function podReady(p: Pod): boolean {
  return p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The pods of one chart component. */
export async function componentPods(
  cp: ControlPlane,
  namespace: string,
  component: string,
): Promise<Pod[]> {
  const list = await getJson<{ items: Pod[] }>(cp, [
    'pods',
    '-n',
    namespace,
    '-l',
    `app.kubernetes.io/component=${component}`,
  ]);
  return list.items;
}

/** The v1 memory hierarchy's mount, or the v2 root. */
function memoryRoot(): string {
  return existsSync('/sys/fs/cgroup/memory') ? '/sys/fs/cgroup/memory' : '/sys/fs/cgroup';
}

/**
 * What is under the agent's cgroup root now, by name, to spare in {@link killAgentTasks};
 * the empty name stands for the root itself.
 */
export function existingTaskCgroups(root = 'mezzo'): Set<string> {
  const dir = join(memoryRoot(), root);
  if (!existsSync(dir)) return new Set();
  return new Set(['', ...taskCgroups(root).map((d) => d.slice(dir.length + 1))]);
}

/** The agent's task cgroups under `root` (default: the agent's default root, mezzo). */
export function taskCgroups(root = 'mezzo'): string[] {
  const dir = join(memoryRoot(), root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name));
}

/** The pids in a cgroup directory. */
export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The pid among `pids` that started first (field 22 of /proc/<pid>/stat, clock ticks since
 * boot), or undefined when none is alive. A task's long-lived shell is its oldest process;
 * the lowest pid is not, once pids wrap past pid_max (32768 on these machines) and a fresh
 * `sleep` gets a small number.
 */
export function oldestPid(pids: readonly number[]): number | undefined {
  let best: ProcStat | undefined;
  for (const pid of pids) {
    let stat: ProcStat | undefined;
    try {
      stat = parseStat(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
    } catch {
      continue; // exited while we looked
    }
    if (stat && (best === undefined || stat.startTime < best.startTime)) best = stat;
  }
  return best?.pid;
}

/** A cgroup's memory limit in bytes (v1 memory.limit_in_bytes or v2 memory.max). */
export function memoryLimit(dir: string): number {
  const v1 = join(dir, 'memory.limit_in_bytes');
  return Number(readFileSync(existsSync(v1) ? v1 : join(dir, 'memory.max'), 'utf8').trim());
}

/**
 * Kills what the chart's agent left running under its cgroup root (tasks outlive the agent
 * by design) and removes those cgroups, and the root when it was not there before: task
 * cgroups whose names are in `keep` (there before the test) are left alone.
 */
export function killAgentTasks(keep: ReadonlySet<string>, root = 'mezzo'): void {
  const rootWasThere = keep.has('');
  const hierarchies = existsSync('/sys/fs/cgroup/memory')
    ? readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, root))
    : [join('/sys/fs/cgroup', root)];
  // A task's shell may fork between the read and the kill: repeat until none is left.
  for (let round = 0; round < 20; round++) {
    let found = 0;
    for (const top of hierarchies) {
      if (!existsSync(top)) continue;
      const dirs = [
        ...(rootWasThere ? [] : [top]),
        ...readdirSync(top, { withFileTypes: true })
          .filter((d) => d.isDirectory() && !keep.has(d.name))
          .map((d) => join(top, d.name)),
      ];
      for (const pid of dirs.flatMap(cgroupPids)) {
        found++;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (found === 0) break;
    sleepSync(100);
  }
  for (const top of hierarchies) {
    if (!existsSync(top)) continue;
    for (const d of readdirSync(top, { withFileTypes: true })) {
      if (d.isDirectory() && !keep.has(d.name)) rmdirWhenEmpty(join(top, d.name));
    }
    if (!rootWasThere) rmdirWhenEmpty(top);
  }
}

function rmdirWhenEmpty(dir: string): void {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      // the killed processes take a moment to leave the cgroup
      sleepSync(100);
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
