/**
 * `mezzo controller --store embedded` as a real process for the tests that restart or
 * try to crash it: fixed loopback ports (so a restart comes back at the same address and
 * agents reconnect), its own work dir, its output kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { MEZZO_BIN } from '../../support/dev-process.js';
import { freePort } from '../../support/net.js';
import { authHeader, writeTestTokenFile } from '../../support/auth.js';

/** A running controller process. */
export interface ControllerProcess {
  process: ChildProcess;
  /** Its HTTP API, e.g. http://127.0.0.1:40123. */
  server: string;
  grpcAddress: string;
  /** Everything it printed so far. */
  readonly output: string;
  /** Its exit code (or signal name), once it exits. */
  exited: Promise<number | string | null>;
}

/** Ports a controller keeps across restarts. */
export interface ControllerPorts {
  http: number;
  grpc: number;
}

/** Two free loopback ports. */
export async function controllerPorts(): Promise<ControllerPorts> {
  return { http: await freePort(), grpc: await freePort() };
}

/** Starts `mezzo controller --store embedded` and waits until its HTTP API answers. */
export async function spawnController(
  workDir: string,
  ports: ControllerPorts,
  extraArgs: string[] = [],
): Promise<ControllerProcess> {
  const child = spawn(
    process.execPath,
    [
      MEZZO_BIN,
      'controller',
      '--store',
      'embedded',
      '--work-dir',
      workDir,
      '--host',
      '127.0.0.1',
      '--http-port',
      String(ports.http),
      '--grpc-port',
      String(ports.grpc),
      '--namespace',
      'default',
      '--token-file',
      writeTestTokenFile(workDir),
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const server = `http://127.0.0.1:${String(ports.http)}`;
  const proc: ControllerProcess = {
    process: child,
    server,
    grpcAddress: `127.0.0.1:${String(ports.grpc)}`,
    get output() {
      return out;
    },
    exited,
  };
  const gone = { yes: false };
  void exited.then(() => (gone.yes = true));
  const start = Date.now();
  for (;;) {
    const up = await fetch(`${server}/state`, { headers: authHeader() })
      .then((r) => r.ok)
      .catch(() => false);
    if (up) return proc;
    if (gone.yes || Date.now() - start > 20_000)
      throw new Error(`the controller did not come up: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a controller process (SIGKILL: a crash) and waits for it to exit. */
export async function killController(c: ControllerProcess, signal: NodeJS.Signals = 'SIGKILL') {
  if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill(signal);
  return c.exited;
}

/** GETs a JSON document from the controller's HTTP API. */
export async function getJson<T>(c: ControllerProcess, path: string): Promise<T> {
  const res = await fetch(`${c.server}${path}`, { headers: authHeader() });
  if (!res.ok) throw new Error(`GET ${path}: ${String(res.status)} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Applies one object (`kind`, `default/name`, `spec`) through the controller's HTTP API. */
export async function applyObject(
  c: ControllerProcess,
  kind: 'Task' | 'App',
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  const res = await fetch(`${c.server}/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader() },
    body: JSON.stringify([
      { apiVersion: 'mezzo.dev/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec },
    ]),
  });
  if (!res.ok) throw new Error(`apply ${kind}/${name}: ${String(res.status)} ${await res.text()}`);
}
