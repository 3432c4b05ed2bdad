/**
 * `mezzo dev` as the tests that drive it through the CLI start it: a real process on free
 * loopback ports, its own work dir and cgroup root, output kept for failure messages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { tempDir } from './cleanup.js';

// Where `mezzo dev` registers its token for the CLI: one folder for this test process,
// shared with the CLI it runs, removed with the test's other temp dirs.
process.env.MEZZO_HOME ??= tempDir('mezzo-home-');

/**
 * `process.env` without a token of this test process (in-process controllers' tests set
 * one), for a `mezzo dev` that makes its own and a CLI that must find that one.
 */
export function envWithoutToken(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MEZZO_TOKEN: _t, MEZZO_TOKEN_FILE: _f, ...rest } = process.env;
  return { ...rest, ...extra };
}
import { freePort } from './net.js';
import { prerequisite } from './prereq.js';

/** The `mezzo` bin of this checkout. */
export const MEZZO_BIN = fileURLToPath(new URL('../../../bin/mezzo.js', import.meta.url));

/** A running `mezzo dev`. */
export interface DevProcess {
  process: ChildProcess;
  port: number;
  grpcPort: number;
  /** Its HTTP API, e.g. http://127.0.0.1:40123. */
  server: string;
  workDir: string;
  /** Everything it printed so far (stdout and stderr). */
  readonly output: string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** fetch() on its HTTP API with the token it wrote (rejects until the file exists). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** The `authorization` header for the token a `mezzo dev` wrote to `workDir`. */
export function devAuthHeader(workDir: string): { authorization: string } {
  return { authorization: `Bearer ${readFileSync(join(workDir, 'token'), 'utf8').trim()}` };
}

/** Whether the test may run `mezzo dev` with cgroups (root); skips or fails otherwise. */
export function devPrerequisite(t: TestContext): boolean {
  return prerequisite(
    t,
    process.getuid?.() === 0,
    'root (the dev agent uses cgroups)',
    'run the tests as root',
  );
}

/** Starts `mezzo dev` (without waiting for it to answer). */
export async function spawnDev(opts: {
  cgroupRoot: string;
  workDir?: string;
  demo?: boolean;
  /** `--agents N`: that many local agents. */
  agents?: number;
  /** Added to this process's environment, e.g. MEZZO_LOG_FORMAT. */
  env?: Record<string, string>;
}): Promise<DevProcess> {
  const port = await freePort();
  const grpcPort = await freePort();
  const workDir = opts.workDir ?? tempDir('mezzo-dev-');
  const child = spawn(
    process.execPath,
    [
      MEZZO_BIN,
      'dev',
      ...(opts.demo ? ['--demo'] : []),
      ...(opts.agents ? ['--agents', String(opts.agents)] : []),
      '--port',
      String(port),
      '--grpc-port',
      String(grpcPort),
      '--work-dir',
      workDir,
      '--cgroup-root',
      opts.cgroupRoot,
    ],
    // Without the test process's token: `mezzo dev` makes its own, and the CLI finds it.
    { stdio: ['ignore', 'pipe', 'pipe'], env: envWithoutToken(opts.env) },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    process: child,
    port,
    grpcPort,
    server: `http://127.0.0.1:${port}`,
    workDir,
    get output() {
      return out;
    },
    exited,
    fetch: async (path, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', devAuthHeader(workDir).authorization);
      return fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers });
    },
  };
}

/** Runs the `mezzo` CLI against `server` to its end. */
export function mezzoAt(
  server: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [MEZZO_BIN, ...args, '--server', server], {
    encoding: 'utf8',
    env: envWithoutToken(),
  });
}
