/**
 * The Mezzo agent: one per node. Dials the controller's Agent.Connect stream, registers
 * (or re-registers with its tasks after a restart), launches tasks through the
 * containerizer, reports their state changes through the status update manager, serves
 * usage and health on its own HTTP port, and recovers its tasks from checkpoints after a
 * crash. See docs/agent.md.
 *
 * This file wires the parts together and dispatches the controller's messages; the parts
 * live beside it: controller-connection.ts (the stream), task-lifecycle.ts (launch, exit,
 * kill), task-recovery.ts (reattach after a restart), agent-metrics.ts (metrics, usage),
 * agent-http.ts (/metrics, /healthz, /state), sandbox-gc.ts and read-file.ts.
 */
import { promises as fsp } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { SystemClock, type Clock, type Timer } from '../shared/clock.js';
import { describeError, MezzoError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { MAX_BATCH_BYTES } from '../shared/stream-outbox.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../gen/mezzo/v1/ControllerMessage.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { ReadFile__Output } from '../gen/mezzo/v1/ReadFile.js';
import type { TaskUsage } from '../gen/mezzo/v1/TaskUsage.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import { collectUsage, createAgentMetrics, type AgentMetrics } from './agent-metrics.js';
import { startAgentHttp } from './agent-http.js';
import type { AccessControl } from '../auth/types.js';
import { ownTokenAccess } from './own-token-access.js';
import { detectCgroups, type Cgroups, type CgroupStats } from './cgroups.js';
import type { AgentConfig } from './config.js';
import { Containerizer } from './containerizer.js';
import { ControllerConnection } from './controller-connection.js';
import { dispatchControllerMessage } from './controller-messages.js';
import { Fetcher } from './fetcher.js';
import { atomicWriteJsonSync, readJson } from './fsutil.js';
import { readSandboxFile } from './read-file.js';
import { collectGarbage, gcIntervalMs } from './sandbox-gc.js';
import { StatusUpdateManager, toProto, type StoredUpdate } from './status-updates.js';
import { TaskRunner, type TaskRunnerDeps } from './task-lifecycle.js';
import type { TaskRecord } from './task-record.js';
import { TaskRecovery } from './task-recovery.js';
import { TaskStatusWriter } from './task-status-writer.js';
import type { TaskStatusPatch } from '../kube/task-status-patch.js';

const AGENT_VERSION = '0.1.0';

/** Injected dependencies. */
export interface AgentDeps {
  logger?: Logger;
  clock?: Clock;
  metrics?: MetricsRegistry;
  /** Force a cgroup version (tests); detected otherwise. */
  cgroupVersion?: 1 | 2;
  /** The cgroups driver (tests wrap the detected one); detected from the config otherwise. */
  cgroups?: Cgroups;
  /**
   * Who may read the agent's /state and /metrics; default: the holder of the token the
   * agent itself uses (see {@link AgentConfig.tokenFile}), nobody when it has none.
   */
  access?: AccessControl;
  /**
   * The apiserver client the agent writes its tasks' RUNNING status with
   * (`--write-task-status`, task-status-writer.ts); none: the controller writes it.
   */
  statusPatch?: TaskStatusPatch;
}

/** The agent. `start()` it; `stop()` leaves tasks running (as a crash would). */
export class Agent {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  private readonly clock: Clock;
  private readonly cgroups: Cgroups;
  private readonly updates: StatusUpdateManager;
  private readonly runnerDeps: TaskRunnerDeps;
  private readonly runner: TaskRunner;
  private readonly conn: ControllerConnection;
  private agentId = '';
  private stopped = false;
  private usageTimer: Timer | undefined;
  private gcTimer: Timer | undefined;
  private httpServer: http.Server | undefined;
  private httpPort = 0;
  private readonly m: AgentMetrics;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly access: AccessControl | undefined;

  constructor(
    readonly config: AgentConfig,
    deps: AgentDeps = {},
  ) {
    this.logger = (deps.logger ?? silentLogger()).child({ component: 'agent' });
    this.clock = deps.clock ?? new SystemClock();
    this.metrics = deps.metrics ?? new MetricsRegistry();
    this.access = deps.access;
    this.cgroups = deps.cgroups ?? detectCgroups(config.cgroupRoot, deps.cgroupVersion);
    this.updates = new StatusUpdateManager(
      this.clock,
      {
        send: (u) => this.sendUpdate(u),
        onTerminalAcked: (id) => {
          this.logger.debug('terminal update acknowledged', { taskId: id });
        },
        onRetry: () => {
          this.m.retries.inc();
        },
      },
      this.logger,
      config.updateRetryMinSeconds * 1000,
      config.updateRetryMaxSeconds * 1000,
    );
    this.m = createAgentMetrics(this.metrics);
    this.conn = new ControllerConnection(config, this.clock, this.logger, {
      hello: () => this.hello(),
      onMessage: (msg) => this.onMessage(msg),
      onDown: () => this.m.connected.set(0),
      metrics: this.metrics,
    });
    this.runnerDeps = {
      config,
      clock: this.clock,
      logger: this.logger,
      cgroups: this.cgroups,
      containerizer: new Containerizer(this.cgroups, config.reapIntervalMs, this.logger),
      fetcher: new Fetcher(join(config.workDir, 'cache'), config.fetcherCacheBytes),
      updates: this.updates,
      m: this.m,
      metaDir: this.metaDir,
      agentId: () => this.agentId,
      isStopped: () => this.stopped,
      track: (p, what) => this.track(p, what),
      write: (msg) => this.conn.write(msg),
      ...(deps.statusPatch && config.nodeName
        ? {
            statusWriter: new TaskStatusWriter(
              deps.statusPatch,
              {
                nodeName: config.nodeName,
                hostname: config.hostname,
                agentId: () => this.agentId,
              },
              this.clock,
              this.logger,
            ),
          }
        : {}),
    };
    this.runner = new TaskRunner(this.runnerDeps);
  }

  /** The cgroup version in use. */
  get cgroupVersion(): 1 | 2 {
    return this.cgroups.version;
  }

  /** The agent ID (empty before the first registration). */
  get id(): string {
    return this.agentId;
  }

  /** The bound HTTP port. */
  get port(): number {
    return this.httpPort;
  }

  /** Whether the agent is currently registered. */
  get isRegistered(): boolean {
    return this.conn.isRegistered;
  }

  private get metaDir(): string {
    return join(this.config.workDir, 'meta');
  }

  private get tasks(): Map<string, TaskRecord> {
    return this.runner.tasks;
  }

  /** Recovers checkpointed tasks, starts the HTTP port and connects to the controller. */
  async start(): Promise<void> {
    await fsp.mkdir(join(this.metaDir, 'tasks'), { recursive: true });
    await fsp.mkdir(join(this.config.workDir, 'sandboxes'), { recursive: true });
    // Tasks run as other users and must reach $MESOS_SANDBOX by its absolute path.
    for (const d of [this.config.workDir, join(this.config.workDir, 'sandboxes')]) {
      const mode = (await fsp.stat(d)).mode & 0o7777;
      if ((mode & 0o001) === 0) await fsp.chmod(d, mode | 0o711);
    }
    const saved = (await readJson(join(this.metaDir, 'agent.json'))) as
      { agentId?: string } | undefined;
    this.agentId = saved?.agentId ?? '';
    await this.recover();
    await this.startHttp();
    this.scheduleUsage();
    this.scheduleGc();
    this.conn.connect();
    this.logger.info('agent started', {
      agentId: this.agentId || undefined, // none until the first registration
      cgroups: this.cgroups.version,
      tasks: this.tasks.size,
      port: this.httpPort,
    });
  }

  /** Disconnects and stops timers. Tasks keep running (a restarted agent reattaches). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.usageTimer?.cancel();
    this.gcTimer?.cancel();
    for (const t of this.tasks.values()) {
      t.health?.stop();
      t.killTimer?.cancel();
    }
    this.conn.stop();
    await this.runnerDeps.statusWriter?.stop();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    this.runnerDeps.containerizer.close();
    await this.updates.stop();
    await new Promise<void>((r) => {
      if (!this.httpServer) {
        r();
        return;
      }
      this.httpServer.close(() => r());
      this.httpServer.closeAllConnections();
    });
  }

  /**
   * Kills every task with SIGKILL and removes their cgroups and the cgroup root. For
   * tests and for `--cleanup` on decommission; never called on a normal stop.
   */
  async destroyAllTasks(): Promise<void> {
    for (const t of this.tasks.values()) {
      try {
        await this.cgroups.destroy(t.cgroup);
      } catch (err) {
        this.logger.warn('cgroup destroy failed', { err: describeError(err) });
      }
    }
    try {
      await this.cgroups.destroyRoot();
    } catch (err) {
      this.logger.warn('cgroup root destroy failed', { err: describeError(err) });
    }
  }

  /** Current cgroup accounting of a task (tests, usage). */
  async taskStats(taskId: string): Promise<CgroupStats | undefined> {
    const t = this.tasks.get(taskId);
    if (!t) return undefined;
    if (t.phase !== 'running') return t.lastStats;
    try {
      return await this.cgroups.stats(t.cgroup);
    } catch {
      return t.lastStats;
    }
  }

  /** A task's sandbox directory. */
  sandboxOf(taskId: string): string | undefined {
    return this.tasks.get(taskId)?.sandbox;
  }

  /** Handles LaunchTask. */
  async launch(task: TaskInfo__Output, framework: FrameworkInfoLite__Output): Promise<void> {
    await this.runner.launch(task, framework);
  }

  /** Kill policy: SIGTERM to the task's process group, SIGKILL after the grace period. */
  async kill(
    taskId: string,
    frameworkId: string,
    graceSeconds: number | undefined,
    reason: StatusReason__Output,
    message: string,
  ): Promise<void> {
    await this.runner.kill(taskId, frameworkId, graceSeconds, reason, message);
  }

  /** Reads every running task's cgroup, updates the gauges, returns the usage report. */
  async collectUsage(): Promise<TaskUsage[]> {
    return collectUsage(this.tasks.values(), this.cgroups, this.updates, this.m);
  }

  /** Removes sandboxes and checkpoints of tasks done (terminal update acked) for gcAge. */
  async gc(): Promise<number> {
    const now = this.clock.now();
    return collectGarbage(
      this.tasks,
      this.updates,
      now,
      this.config.gcAgeSeconds * 1000,
      this.logger,
    );
  }

  /** Runs background work, logging its failure; stop() waits for it. */
  private track(p: Promise<unknown>, what: string): void {
    const q = p.catch((err: unknown) => {
      this.logger.error(`${what} failed`, { err: describeError(err) });
    });
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }

  private async recover(): Promise<void> {
    await new TaskRecovery(this.runner, this.runnerDeps).recover();
  }

  // ---------------------------------------------------------------- controller stream

  private agentInfo(): AgentMessage['register'] {
    return {
      agent_info: {
        id: this.agentId,
        hostname: this.config.hostname,
        node_name: this.config.nodeName,
        resources: this.config.resources,
        attributes: this.config.attributes,
        address: `${this.config.httpHost}:${String(this.httpPort)}`,
        version: AGENT_VERSION,
        default_user: this.config.defaultUser,
        max_batch_bytes: MAX_BATCH_BYTES,
        writes_task_status: this.runnerDeps.statusWriter !== undefined,
      },
    };
  }

  /** register, or (once the agent has an ID) reregister with every task and its latest state. */
  private hello(): AgentMessage {
    if (!this.agentId) return { register: this.agentInfo() };
    // As Mesos' agent: live tasks, and finished ones with an update still to deliver or
    // still being written (a finished, acknowledged task is settled; reporting it only
    // costs the controller).
    const ids = [...this.tasks.keys()].filter(
      (id) => this.tasks.get(id)?.phase !== 'done' || !this.updates.isDone(id),
    );
    const tasks = ids.map((id) => this.tasks.get(id)?.task).filter((t) => t !== undefined);
    const latest = ids
      .map((id) => this.updates.latest(id))
      .map((u) => (u ? toProto(u, this.agentId) : {}));
    const fws = [...new Set([...this.tasks.values()].map((t) => t.framework.id))];
    return {
      reregister: {
        ...this.agentInfo(),
        tasks,
        latest_statuses: latest,
        framework_ids: fws,
      },
    };
  }

  private write(msg: AgentMessage): boolean {
    return this.conn.write(msg);
  }

  private sendUpdate(u: StoredUpdate): boolean {
    if (!this.conn.isRegistered) return false;
    return this.write({ status_update: { status: toProto(u, this.agentId) } });
  }

  private onMessage(msg: ControllerMessage__Output): void {
    dispatchControllerMessage(msg, {
      tasks: this.tasks,
      updates: this.updates,
      m: this.m,
      metrics: this.metrics,
      logger: this.logger,
      track: (p, what) => this.track(p, what),
      write: (m) => this.write(m),
      launch: (task, fw) => this.launch(task, fw),
      kill: (...args) => this.kill(...args),
      readFile: (req) => this.readFile(req),
      onRegistered: (id, hb) => this.onRegistered(id, hb),
      granted: (ids) => this.runnerDeps.statusWriter?.granted(ids),
    });
  }

  private onRegistered(id: string, heartbeatSeconds: number): Promise<void> {
    if (id && id !== this.agentId) {
      // Stored before the next message is read: a launch that follows must never be
      // checkpointed by an agent that could restart without this ID, re-register as a
      // new agent and leave the task unreported (the controller would count it gone).
      try {
        atomicWriteJsonSync(join(this.metaDir, 'agent.json'), { agentId: id });
      } catch (err) {
        // Logged by track(); the agent stays unregistered until its next attempt.
        return Promise.reject(
          new MezzoError(
            'CHECKPOINT',
            'the agent ID could not be stored',
            { agentId: id },
            {
              cause: err,
            },
          ),
        );
      }
      this.agentId = id;
    }
    this.conn.markRegistered(heartbeatSeconds);
    this.m.connected.set(1);
    this.m.registrations.inc();
    this.logger.info('registered', { agentId: this.agentId });
    this.updates.flush();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- usage, files, GC, HTTP

  private scheduleUsage(): void {
    if (this.stopped) return;
    this.usageTimer = this.clock.setTimer(this.config.usageIntervalSeconds * 1000, () => {
      void this.collectUsage().then((usage) => {
        if (this.conn.isRegistered && usage.length > 0) {
          this.write({ usage: { tasks: usage, timestamp: this.clock.now() / 1000 } });
        }
        this.scheduleUsage();
      });
    });
  }

  private async readFile(req: ReadFile__Output): Promise<void> {
    const t = this.tasks.get(req.task_id);
    const reply = await readSandboxFile(t && { sandbox: t.sandbox, uid: t.uid }, req);
    this.write({ file_data: reply });
  }

  private scheduleGc(): void {
    if (this.stopped) return;
    this.gcTimer = this.clock.setTimer(gcIntervalMs(this.config.gcAgeSeconds), () => {
      void this.gc().finally(() => this.scheduleGc());
    });
  }

  private async startHttp(): Promise<void> {
    const access = this.access ?? (await ownTokenAccess(this.config));
    // The view reads the agent at each request, so functions, not a snapshot.
    const { server, port } = await startAgentHttp(
      {
        registered: () => this.conn.isRegistered,
        agentId: () => this.agentId,
        cgroupVersion: this.cgroups.version,
        tasks: this.tasks,
        updates: this.updates,
        metrics: this.metrics,
        logger: this.logger,
        collectUsage: () => this.collectUsage(),
        access,
      },
      this.config.httpHost,
      this.config.httpPort,
      this.config.httpTls,
    );
    this.httpServer = server;
    this.httpPort = port;
  }
}
