/**
 * Reading and clearing cgroup files, shared by the v1 and v2 implementations.
 *
 * The file operations are synchronous on purpose: cgroupfs is in memory (no disk), so a
 * read, write, mkdir or rmdir there takes microseconds, less than what handing it to
 * libuv's threadpool costs (a wakeup, a thread switch and a callback on the event loop);
 * a task's launch and exit make about 30 of them. Waits (EBUSY, processes still dying)
 * stay asynchronous.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/** A file's text. */
export async function readText(path: string): Promise<string> {
  return Promise.resolve(readFileSync(path, 'utf8'));
}

/** Writes a cgroup control file; rejects with the kernel's error (EINVAL, ENOENT…). */
export async function writeControl(path: string, value: string): Promise<void> {
  writeFileSync(path, value);
  return Promise.resolve();
}

/** Creates a cgroup directory (and its parents). */
export async function makeCgroupDir(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  return Promise.resolve();
}

/** A number from a cgroup file (`max` and unreadable files read as 0). */
export async function readNum(path: string): Promise<number> {
  try {
    const t = (await readText(path)).trim();
    if (t === 'max') return 0;
    const n = Number(t);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

/** `key value` lines (memory.stat, cpu.stat) as a map; empty when unreadable. */
export async function readKeyed(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = await readText(path);
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

/** The pids in a cgroup.procs file; empty when unreadable. */
export async function readPids(file: string): Promise<number[]> {
  try {
    return (await readText(file))
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** Removes a cgroup directory, retrying while the kernel reports it busy. */
export async function rmdirRetry(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i === 49) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** SIGKILLs every pid in a cgroup.procs file until it is empty. */
export async function killAll(procsFile: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pids = await readPids(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Clock ticks per second in cpuacct.stat (USER_HZ). */
export const USER_HZ = 100;
