/**
 * The processes a side-by-side run starts (kube-scheduler, KWOK, the Mezzo controller, the
 * simulated agents): each with its output in a log file, its CPU time read from /proc, and
 * stopped by its own pid (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

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

/**
 * A port on 127.0.0.1 that nothing listens on now, for a child process to bind later.
 * Chosen below the kernel's ephemeral range (`ip_local_port_range`): a port from that
 * range, which binding port 0 gives, can be taken by any outgoing connection before the
 * child binds it, and one full run lost its third controller to EADDRINUSE that way,
 * among the thousands of loopback connections the schedulers and agents keep.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low - PORT_FLOOR < 1_000) return bindable(0);
  for (let tries = 0; tries < 100; tries++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * (low - PORT_FLOOR));
    const got = await bindable(port).catch(() => 0);
    if (got) return got;
  }
  throw new Error(`no free port in ${String(PORT_FLOOR)}-${String(low - 1)}`);
}

/** Ports below this are left to services. */
const PORT_FLOOR = 20_000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low !== undefined && Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Binds `port` (0: any) on 127.0.0.1 and lets it go; the port bound. */
function bindable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const a = s.address();
      const bound = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(bound));
    });
  });
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
