/**
 * The Mezzo under test, as separate OS processes: `mezzo controller --store embedded`
 * (which also hosts the built-in default, apps and schedules frameworks), one
 * `mezzo agent` with its own cgroup root, and the soak's batch framework. Everything
 * lives in one temp directory; {@link SoakCluster.destroy} kills every process and task
 * and removes the cgroups and the directory, whatever state the run ended in.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { newToken } from '../../../src/auth/token.js';
import { cleanCgroupTrees } from '../../../test/support/cgroups.js';
import { MEZZO_BIN } from '../../../test/support/dev-process.js';
import { freePort } from '../../../test/support/net.js';
import type { SoakConfig } from './config.js';
import { readBatchLog } from './batch-records.js';
import { ManagedProcess } from './process.js';
import type { ApplyObject } from './workload.js';

const BATCH_MAIN = fileURLToPath(new URL('./batch-framework.js', import.meta.url));

/** What `POST /apply` answers per object. */
export interface ApplyResult {
  ok: boolean;
  object: string;
  action?: string;
  error?: string;
}

/** The processes and files of one soak run. */
export class SoakCluster {
  readonly controller: ManagedProcess;
  readonly agent: ManagedProcess;
  readonly batch: ManagedProcess;
  readonly markers: string;
  readonly batchDir: string;
  readonly agentDir: string;
  /** The administrator's token: the controller's and agent's `--token-file`, the clients' bearer. */
  private readonly token = newToken();

  private constructor(
    readonly cfg: SoakConfig,
    readonly dir: string,
    readonly cgroupRoot: string,
    readonly httpPort: number,
    readonly grpcPort: number,
  ) {
    this.markers = join(dir, 'markers');
    this.batchDir = join(dir, 'batch');
    this.agentDir = join(dir, 'agent');
    const logs = join(dir, 'logs');
    for (const d of [this.markers, this.batchDir, logs]) mkdirSync(d, { recursive: true });
    // Tasks run as nobody: they must reach the marker directory and write in it.
    chmodSync(dir, 0o755);
    chmodSync(this.markers, 0o777);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${this.token}\n`, { mode: 0o600 });
    const grpc = `127.0.0.1:${grpcPort}`;
    this.controller = new ManagedProcess(
      'controller',
      () => [
        MEZZO_BIN,
        'controller',
        '--store',
        'embedded',
        '--work-dir',
        join(dir, 'controller'),
        '--host',
        '127.0.0.1',
        '--http-port',
        String(httpPort),
        '--grpc-port',
        String(grpcPort),
        '--namespace',
        'default',
        '--agent-ping-timeout',
        String(cfg.agentPingTimeoutS),
        '--token-file',
        tokenFile,
      ],
      join(logs, 'controller.log'),
    );
    this.agent = new ManagedProcess(
      'agent',
      () => [
        MEZZO_BIN,
        'agent',
        '--controller',
        grpc,
        '--work-dir',
        this.agentDir,
        '--resources',
        cfg.agentResources,
        '--hostname',
        'soak-agent',
        '--cgroup-root',
        cgroupRoot,
        '--cgroup-version',
        '1',
        '--port',
        '0',
        '--no-node-labels',
        '--usage-interval',
        '30',
        '--token-file',
        tokenFile,
      ],
      join(logs, 'agent.log'),
    );
    this.batch = new ManagedProcess(
      'batch-framework',
      () => [
        BATCH_MAIN,
        '--controller',
        grpc,
        '--dir',
        this.batchDir,
        '--markers',
        this.markers,
        '--total',
        String(cfg.batchTasks),
        '--concurrency',
        String(cfg.batchConcurrency),
        '--spread-ms',
        String(Math.round(cfg.chaosMs * 0.9)),
        '--seed',
        String(cfg.seed),
      ],
      join(logs, 'batch.log'),
      { MEZZO_TOKEN: this.token },
    );
  }

  /** Picks ports and a cgroup root, and creates the directories; starts nothing. */
  static async create(cfg: SoakConfig): Promise<SoakCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mezzo-soak-'));
    const root = `mezzo-soak-${process.pid}-${Date.now().toString(36)}`;
    return new SoakCluster(cfg, dir, root, await freePort(), await freePort());
  }

  /** The bearer header of every HTTP call to the controller. */
  private get auth(): { authorization: string } {
    return { authorization: `Bearer ${this.token}` };
  }

  /** The controller's HTTP API. */
  get server(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** The three processes. */
  get processes(): ManagedProcess[] {
    return [this.controller, this.agent, this.batch];
  }

  /** GET a JSON document from the controller; undefined while it does not answer. */
  async get<T>(path: string): Promise<T | undefined> {
    try {
      const res = await fetch(`${this.server}${path}`, {
        headers: this.auth,
        signal: AbortSignal.timeout(5_000),
      });
      return res.ok ? ((await res.json()) as T) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Waits until the controller answers /healthz, or `ms` passed; says whether it did. */
  async controllerReady(ms = 20_000): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      try {
        const res = await fetch(`${this.server}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return true;
      } catch {
        // not yet
      }
      await sleep(200);
    }
    return false;
  }

  /** Applies objects, retrying while the controller is down (up to `ms`). */
  async apply(objects: ApplyObject[], ms = 30_000): Promise<ApplyResult[]> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        const res = await fetch(`${this.server}/apply`, {
          method: 'POST',
          body: JSON.stringify(objects),
          headers: { 'content-type': 'application/json', ...this.auth },
          signal: AbortSignal.timeout(10_000),
        });
        const body: unknown = await res.json();
        if (Array.isArray(body)) return body as ApplyResult[];
        throw new Error(`apply answered ${res.status}: ${JSON.stringify(body)}`);
      } catch (err) {
        if (Date.now() > until) throw err;
        await sleep(500);
      }
    }
  }

  /** Deletes an App, retrying while the controller is down (up to `ms`). */
  async deleteApp(name: string, ms = 30_000): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        const res = await fetch(
          `${this.server}/objects?kind=App&name=${encodeURIComponent(name)}&namespace=default`,
          { method: 'DELETE', headers: this.auth, signal: AbortSignal.timeout(10_000) },
        );
        if (res.ok || res.status === 404) return;
        throw new Error(`delete answered ${res.status}`);
      } catch (err) {
        if (Date.now() > until) throw err;
        await sleep(500);
      }
    }
  }

  /** How many tasks the batch framework has launched so far. */
  batchLaunched(): number {
    const { tasks } = readBatchLog(join(this.batchDir, 'records.jsonl'));
    return [...tasks.values()].filter((t) => t.index >= 0).length;
  }

  /** Tells the batch framework to stop launching (it reads the file before each launch). */
  stopBatchLaunches(): void {
    writeFileSync(join(this.batchDir, 'stop'), '');
  }

  /** Starts whatever is not running (after a crash the harness did not cause). */
  restartCrashed(): void {
    for (const p of this.processes) if (p.starts > 0 && !p.alive) p.start();
  }

  /**
   * Kills every process and task, removes the cgroups and (unless `keep`) the directory.
   * Safe to call in any state, and more than once.
   */
  async destroy(keep = false): Promise<void> {
    this.agent.thaw();
    await Promise.all(this.processes.map((p) => p.kill()));
    await cleanCgroupTrees(this.cgroupRoot, 10_000);
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }
}
