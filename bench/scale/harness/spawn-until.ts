/**
 * Starting a bench's own node processes (controller, simulated agents) and waiting for
 * the line that says each is ready; shared by bench/scale and bench/dashboard-render.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Spawns `node args…` in `cwd` with `env` and resolves with its first complete stdout
 * line that `match`es; rejects when it exits first, or after `limitMs` when given.
 */
export function spawnUntil(
  args: string[],
  match: (line: string) => boolean,
  opts: { cwd: string; env: NodeJS.ProcessEnv; limitMs?: number },
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer =
      opts.limitMs === undefined
        ? undefined
        : setTimeout(() => reject(new Error(`no "${args.join(' ')}" line in time`)), opts.limitMs);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        if (match(line)) {
          clearTimeout(timer);
          resolve({ child, line });
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${String(code)}`)));
  });
}
