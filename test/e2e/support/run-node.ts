/** Runs a Node script (the `mezzo` CLI, an example framework) to its end from an e2e test. */
import { spawn } from 'node:child_process';

/** What a finished run printed and how it exited. */
export interface NodeRun {
  code: number | null;
  out: string;
  err: string;
}

/** How long a run may take, and how a test ends it early. */
export interface RunNodeOptions {
  /** Aborting kills the process (SIGKILL), so that a failed test leaves nothing running. */
  signal?: AbortSignal;
  /** Killed (SIGKILL) after this long; 10 minutes unless given. */
  timeoutMs?: number;
}

/**
 * Runs `node ARGS…` with `env` added to this process's; resolves when it exits. A run
 * never outlives its limit: a test that fails while the process waits on something must
 * not keep its test file (and the whole level) from ending.
 */
export async function runNode(
  args: string[],
  env: Record<string, string> = {},
  opts: RunNodeOptions = {},
): Promise<NodeRun> {
  const p = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    timeout: opts.timeoutMs ?? 600_000,
    killSignal: 'SIGKILL',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // An abort also emits 'error' (AbortError); the exit that follows is what resolves.
  p.on('error', (e: Error) => (err += `\n[runNode] ${e.message}`));
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  return { code, out, err };
}
