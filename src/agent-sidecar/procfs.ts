/**
 * Process identity from /proc. A pid alone is not an identity (pids are reused), so the
 * agent checkpoints a task supervisor's pid together with its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) and only reattaches when both match.
 */
import { promises as fsp } from 'node:fs';

/** What /proc/<pid>/stat says about a process, or undefined when it does not exist. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // Fields after the name start at field 3 (state).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (!Number.isFinite(pid) || !Number.isFinite(startTime)) return undefined;
  return { pid, state, ppid, pgrp, startTime };
}

/** Reads /proc/<pid>/stat. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseStat(await fsp.readFile(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live process (not a zombie) that started at `startTime`. A zombie
 * counts as dead: after the agent's death the supervisor's new parent may not reap it.
 */
export async function isSameLiveProcess(pid: number, startTime: number): Promise<boolean> {
  const st = await readProcStat(pid);
  if (!st) return false;
  if (st.startTime !== startTime) return false;
  return st.state !== 'Z' && st.state !== 'X';
}

/** True when process `pid` has `dir` (compared by real path) as its working directory. */
export async function worksIn(pid: number, dir: string): Promise<boolean> {
  try {
    const [cwd, real] = await Promise.all([
      fsp.readlink(`/proc/${String(pid)}/cwd`),
      fsp.realpath(dir),
    ]);
    return cwd === real;
  } catch {
    return false;
  }
}
