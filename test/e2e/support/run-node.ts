/** Runs a Node script (the `mezzo` CLI, an example framework) to its end from an e2e test. */
import { spawn } from 'node:child_process';

/** What a finished run printed and how it exited. */
export interface NodeRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `node ARGS…` with `env` added to this process's; resolves when it exits. */
export async function runNode(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  const p = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  return { code, out, err };
}
