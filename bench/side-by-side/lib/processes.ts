/**
 * The processes a side-by-side run starts (kube-scheduler, KWOK, the Mezzo controller, the
 * simulated agents): each with its output in a log file, its CPU time read from /proc, and
 * stopped by its own pid (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

/** A process the bench started. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
}

/** Starts `cmd args` with stdout and stderr in `log` (stdout piped instead with `pipeStdout`). */
export function start(
  name: string,
  cmd: string,
  args: string[],
  log: string,
  opts: { env?: NodeJS.ProcessEnv; pipeStdout?: boolean } = {},
): Started {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, {
    stdio: ['ignore', opts.pipeStdout ? 'pipe' : fd, fd],
    env: opts.env ?? process.env,
  });
  closeSync(fd);
  return { name, child, log };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stop(p: Started, graceMs = 5_000): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU seconds `pid` has used so far (0 when it is gone). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** {@link cpuSeconds} of each named pid. */
export function cpuAll(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
}

/** Polls `check` every `everyMs` until it is true; rejects with `what` after `limitMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 120_000,
  everyMs = 200,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The pids of the control plane's apiserver and etcd (control-plane.sh writes them). */
export function controlPlanePids(dir: string): Record<string, number | undefined> {
  const read = (name: string) => {
    try {
      return Number(readFileSync(`${dir}/${name}.pid`, 'utf8').trim());
    } catch {
      return undefined;
    }
  };
  return { 'kube-apiserver': read('apiserver'), etcd: read('etcd') };
}
