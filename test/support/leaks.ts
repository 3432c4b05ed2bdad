/**
 * What a test run left behind, found exactly: the runner (scripts/test.mjs) gives each
 * run an ID and a temp dir ({@link RunMarks}); at the end of a level it asks
 * {@link findLeftovers} for the processes, cgroups and temp entries that carry them, fails
 * the level naming each, and removes them ({@link removeLeftovers}) so one failed run does
 * not pollute the next. Nothing of another run is touched: every handle is the run's own.
 *
 * A process is the run's when any of these holds (one is enough; tasks need the later ones
 * because the agent starts them with a cleared environment):
 * - `MEZZO_TEST_RUN=<id>` is in its environment (inherited from the runner);
 * - its environment names a path in the run's temp dir (a task's MESOS_SANDBOX);
 * - its working directory is in the run's temp dir (a task runs in its sandbox);
 * - it is in one of the run's cgroups (a task started by a root agent).
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RUN_VARIABLE, cgroupPrefixOf } from './test-run.js';

/** The handles of one run: its ID, the directory TMPDIR points at, its cgroup prefix. */
export interface RunMarks {
  id: string;
  tmpDir: string;
  cgroupPrefix: string;
}

/** A process of the run still alive at the end, and why it counts as the run's. */
export interface LeftProcess {
  pid: number;
  command: string;
  why: string;
}

/** Everything a run left behind. */
export interface Leftovers {
  processes: LeftProcess[];
  /** Cgroup roots, e.g. /sys/fs/cgroup/memory/mezzo-test-<id>-ctl-1234-0. */
  cgroups: string[];
  /** Entries directly in the run's temp dir. */
  tempEntries: string[];
}

/** Marks for run `id`, with `tmpDir` (created if missing) as its temp dir. */
export function runMarks(id: string, tmpDir: string, cgroupPrefix = cgroupPrefixOf(id)): RunMarks {
  mkdirSync(tmpDir, { recursive: true });
  // Resolved, because /proc/<pid>/cwd and the paths tasks see are resolved ones.
  return { id, tmpDir: realpathSync(tmpDir), cgroupPrefix };
}

/** The environment that hands the marks to a test process and its children. */
export function runEnv(m: RunMarks): Record<string, string> {
  return { [RUN_VARIABLE]: m.id, TMPDIR: m.tmpDir };
}

/** True when nothing is left. */
export function isClean(l: Leftovers): boolean {
  return l.processes.length === 0 && l.cgroups.length === 0 && l.tempEntries.length === 0;
}

/**
 * What run `m` left behind. Processes found are looked at again for up to `settleMs`:
 * one the test killed just before it ended may still be on its way out, and is no leak.
 */
export async function findLeftovers(m: RunMarks, settleMs = 2_000): Promise<Leftovers> {
  const deadline = Date.now() + settleMs;
  let processes = runProcesses(m);
  while (processes.length > 0 && Date.now() < deadline) {
    await sleep(100);
    processes = runProcesses(m);
  }
  return { processes, cgroups: runCgroups(m.cgroupPrefix), tempEntries: tempEntries(m) };
}

/** One line per leftover, for the runner's failure message. */
export function describeLeftovers(l: Leftovers): string[] {
  return [
    ...l.processes.map((p) => `process ${String(p.pid)} (${p.why}): ${p.command}`),
    ...l.cgroups.map((c) => `cgroup ${c}`),
    ...l.tempEntries.map((e) => `temp ${e}`),
  ];
}

/**
 * Kills the run's processes, removes its cgroups and empties its temp dir, retrying for up
 * to `timeoutMs` while killed processes exit; returns what could not be removed.
 */
export async function removeLeftovers(m: RunMarks, timeoutMs = 5_000): Promise<Leftovers> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of runProcesses(m)) kill(p.pid);
    for (const root of runCgroups(m.cgroupPrefix)) {
      // Depth first: a cgroup directory goes only once its children and processes have.
      spawnSync('find', [root, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], {
        stdio: 'ignore',
      });
    }
    for (const e of tempEntries(m)) rmSync(e, { recursive: true, force: true });
    const left = await findLeftovers(m, 0);
    if (isClean(left) || Date.now() > deadline) return left;
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function tempEntries(m: RunMarks): string[] {
  try {
    return readdirSync(m.tmpDir)
      .sort()
      .map((e) => join(m.tmpDir, e));
  } catch {
    return []; // no temp dir, nothing in it
  }
}

/** Mount points of every cgroup hierarchy (v1 controllers and the v2 unified one). */
function cgroupMounts(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const [, path, type] = line.split(' ');
    if (path !== undefined && (type === 'cgroup' || type === 'cgroup2'))
      out.add(path.replace(/\\040/g, ' '));
  }
  return [...out].sort();
}

/** The run's cgroup roots: directories directly under a hierarchy's mount with its prefix. */
function runCgroups(prefix: string): string[] {
  return cgroupMounts().flatMap((mount) => {
    try {
      return readdirSync(mount, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name.startsWith(prefix))
        .map((d) => join(mount, d.name));
    } catch {
      return [];
    }
  });
}

/** The pids in a cgroup and its descendants. */
function cgroupPids(dir: string): number[] {
  const out: number[] = [];
  try {
    for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
      if (line.length > 0) out.push(Number(line));
    }
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isDirectory()) out.push(...cgroupPids(join(dir, d.name)));
    }
  } catch {
    // removed while we looked
  }
  return out;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/${file}`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** State letter and parent pid from /proc/<pid>/stat (the command may hold spaces). */
function statOf(pid: number): { state: string; ppid: number } | undefined {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
}

/** This process and its ancestors: they carry no marker, but must never be reported. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    const s = statOf(pid);
    if (s === undefined) break;
    pid = s.ppid;
  }
  return out;
}

function isRunPath(p: string, tmpDir: string): boolean {
  return p === tmpDir || p.startsWith(`${tmpDir}/`);
}

/** Whether `text` names the run temp dir or a path in it (not `<tmpDir>-other`). */
function namesRunPath(text: string, tmpDir: string): boolean {
  for (let i = text.indexOf(tmpDir); i >= 0; i = text.indexOf(tmpDir, i + 1)) {
    const next = text[i + tmpDir.length];
    if (next === undefined || !/[\w.-]/.test(next)) return true;
  }
  return false;
}

/** Why process `pid` belongs to run `m`, or undefined when it does not. */
function runHandle(pid: number, m: RunMarks): string | undefined {
  const environ = (readProc(pid, 'environ') ?? '').split('\0');
  if (environ.includes(`${RUN_VARIABLE}=${m.id}`)) return `${RUN_VARIABLE} in its environment`;
  if (environ.some((kv) => namesRunPath(kv, m.tmpDir)))
    return 'the run temp dir in its environment';
  try {
    if (isRunPath(readlinkSync(`/proc/${String(pid)}/cwd`), m.tmpDir))
      return 'working directory in the run temp dir';
  } catch {
    // gone, or not ours to read
  }
  return undefined;
}

function commandOf(pid: number): string {
  // One line: a task's supervisor is a multi-line shell script.
  const cmd = (readProc(pid, 'cmdline') ?? '').replace(/[\0\s]+/g, ' ').trim();
  return cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd;
}

/** The live processes of run `m` (zombies are their parent's business, not leaks). */
function runProcesses(m: RunMarks): LeftProcess[] {
  const skip = selfAndAncestors();
  const found = new Map<number, string>();
  for (const root of runCgroups(m.cgroupPrefix)) {
    for (const pid of cgroupPids(root)) found.set(pid, `in cgroup ${root}`);
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (found.has(pid)) continue;
    const why = runHandle(pid, m);
    if (why !== undefined) found.set(pid, why);
  }
  const out: LeftProcess[] = [];
  for (const [pid, why] of [...found].sort((a, b) => a[0] - b[0])) {
    const state = statOf(pid)?.state;
    if (skip.has(pid) || state === undefined || state === 'Z' || state === 'X') continue;
    out.push({ pid, why, command: commandOf(pid) });
  }
  return out;
}
