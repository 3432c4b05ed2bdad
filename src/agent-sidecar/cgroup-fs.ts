/** Reading and clearing cgroup files, shared by the v1 and v2 implementations. */
import { promises as fsp } from 'node:fs';

/** A file's text. */
export async function readText(path: string): Promise<string> {
  return fsp.readFile(path, 'utf8');
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
      await fsp.rmdir(dir);
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
