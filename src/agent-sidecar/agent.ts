/**
 * The Mezzo agent: one per node. Dials the controller's Agent.Connect stream, registers
 * (or re-registers with its tasks after a restart), launches tasks through the
 * containerizer, reports their state changes through the status update manager, serves
 * usage and health on its own HTTP port, and recovers its tasks from checkpoints after a
 * crash. See docs/agent.md.
 */
import { createHash, randomInt } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve as resolvePath, sep } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SystemClock, type Clock, type Timer } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import { CLIENT_OPTIONS } from '../shared/grpc.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { agentProto } from '../shared/proto.js';
import type { AgentClient } from '../gen/mezzo/v1/Agent.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../gen/mezzo/v1/ControllerMessage.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { ReadFile__Output } from '../gen/mezzo/v1/ReadFile.js';
import type { TaskUsage } from '../gen/mezzo/v1/TaskUsage.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import { detectCgroups, type Cgroups, type CgroupStats } from './cgroups.js';
import { taskLimits, type AgentConfig } from './config.js';
import { Containerizer, readExitStatus, type TaskProcess } from './containerizer.js';
import { Fetcher, FetchError } from './fetcher.js';
import { atomicWriteJson, readJson } from './fsutil.js';
import { HealthChecker } from './health.js';
import { isSameLiveProcess, readCmdline, readProcStat } from './procfs.js';
import {
  StatusUpdateManager,
  isTerminal,
  toProto,
  type NewUpdate,
  type StoredUpdate,
} from './status-updates.js';

const AGENT_VERSION = '0.1.0';

/** The checkpointed form of a task (meta/tasks/<key>/task.json). */
interface TaskCheckpoint {
  version: 1;
  task: TaskInfo__Output;
  framework: FrameworkInfoLite__Output;
  key: string;
  sandbox: string;
  cgroup: string;
  uid?: number;
  gid?: number;
  pid?: number;
  startTime?: number;
  kill?: { reason: StatusReason__Output; message: string };
  launchedAt: number;
  finishedAt?: number;
}

interface TaskRecord extends TaskCheckpoint {
  metaDir: string;
  phase: 'launching' | 'running' | 'done';
  proc?: TaskProcess;
  health?: HealthChecker;
  killTimer?: Timer;
  killGrace?: number | undefined;
  limits: ReturnType<typeof taskLimits>;
  env: Record<string, string>;
  lastStats?: CgroupStats;
}

/** Injected dependencies. */
export interface AgentDeps {
  logger?: Logger;
  clock?: Clock;
  metrics?: MetricsRegistry;
  /** Force a cgroup version (tests); detected otherwise. */
  cgroupVersion?: 1 | 2;
}

interface PasswdEntry {
  uid: number;
  gid: number;
  home: string;
}

function lookupUser(name: string): PasswdEntry | undefined {
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: Number(name), home: '/' };
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined) {
      return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
    }
  }
  return undefined;
}

/** chown -R (without following symlinks), skipping the top-level entry `skip`. */
async function chownTree(dir: string, uid: number, gid: number, skip?: string): Promise<void> {
  await fsp.lchown(dir, uid, gid);
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    if (e.name === skip) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await fsp.lchown(p, uid, gid);
  }
}

function killRequested(t: TaskCheckpoint): boolean {
  return t.kill !== undefined;
}

function taskKey(frameworkId: string, taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  const h = createHash('sha256').update(`${frameworkId}\0${taskId}`).digest('hex').slice(0, 10);
  return `${safe}-${h}`;
}

function signalName(status: number): string {
  const names: Record<number, string> = {
    9: 'SIGKILL',
    15: 'SIGTERM',
    6: 'SIGABRT',
    11: 'SIGSEGV',
  };
  const n = status - 128;
  return names[n] ?? `signal ${String(n)}`;
}

/** The agent. `start()` it; `stop()` leaves tasks running (as a crash would). */
export class Agent {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  private readonly clock: Clock;
  private readonly cgroups: Cgroups;
  private readonly containerizer: Containerizer;
  private readonly fetcher: Fetcher;
  private readonly updates: StatusUpdateManager;
  private readonly tasks = new Map<string, TaskRecord>();
  private agentId = '';
  private client: AgentClient | undefined;
  private call: grpc.ClientDuplexStream<AgentMessage, ControllerMessage__Output> | undefined;
  private registered = false;
  private stopped = false;
  private controllerIndex = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private usageTimer: Timer | undefined;
  private gcTimer: Timer | undefined;
  private lastHeard = 0;
  private heartbeatMs = 15_000;
  private nonce = 1;
  private httpServer: http.Server | undefined;
  private httpPort = 0;
  private readonly m;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    readonly config: AgentConfig,
    deps: AgentDeps = {},
  ) {
    this.logger = (deps.logger ?? silentLogger()).child({ component: 'agent' });
    this.clock = deps.clock ?? new SystemClock();
    this.metrics = deps.metrics ?? new MetricsRegistry();
    this.cgroups = detectCgroups(config.cgroupRoot, deps.cgroupVersion);
    this.containerizer = new Containerizer(this.cgroups, config.reapIntervalMs);
    this.fetcher = new Fetcher(join(config.workDir, 'cache'), config.fetcherCacheBytes);
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
    const tl = ['task_id', 'framework_id'] as const;
    const mt = this.metrics;
    this.m = {
      connected: mt.gauge('mezzo_agent_connected', '1 while registered with a controller'),
      registrations: mt.counter(
        'mezzo_agent_registrations_total',
        'Registrations and re-registrations acknowledged by a controller',
      ),
      launches: mt.counter('mezzo_agent_task_launches_total', 'Tasks launched'),
      launchLatency: mt.histogram(
        'mezzo_agent_launch_to_running_seconds',
        'Time from LaunchTask received to TASK_RUNNING recorded',
      ),
      updates: mt.counter('mezzo_agent_status_updates_total', 'Status updates generated', [
        'state',
      ]),
      retries: mt.counter('mezzo_agent_status_update_retries_total', 'Status update resends'),
      pending: mt.gauge('mezzo_agent_status_updates_pending', 'Unacknowledged status updates'),
      tasks: mt.gauge('mezzo_agent_tasks', 'Tasks known to the agent by phase', ['phase']),
      cpuUser: mt.gauge('mezzo_agent_task_cpu_user_seconds', 'Task CPU user time', tl),
      cpuSystem: mt.gauge('mezzo_agent_task_cpu_system_seconds', 'Task CPU system time', tl),
      memRss: mt.gauge('mezzo_agent_task_memory_rss_bytes', 'Task resident memory', tl),
      memUsage: mt.gauge('mezzo_agent_task_memory_usage_bytes', 'Task cgroup memory usage', tl),
      memLimit: mt.gauge('mezzo_agent_task_memory_limit_bytes', 'Task memory limit', tl),
      periods: mt.gauge('mezzo_agent_task_cpu_periods', 'CFS periods elapsed', tl),
      throttled: mt.gauge('mezzo_agent_task_cpu_throttled_periods', 'CFS periods throttled', tl),
      throttledSec: mt.gauge(
        'mezzo_agent_task_cpu_throttled_seconds',
        'Time the task was throttled',
        tl,
      ),
      pids: mt.gauge('mezzo_agent_task_pids', 'Processes in the task cgroup', tl),
      oom: mt.gauge('mezzo_agent_task_oom_kills', 'OOM kills in the task cgroup', tl),
    };
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
    return this.registered;
  }

  private get metaDir(): string {
    return join(this.config.workDir, 'meta');
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
    this.connect();
    this.logger.info('agent started', {
      agentId: this.agentId,
      cgroups: this.cgroups.version,
      tasks: this.tasks.size,
      port: this.httpPort,
    });
  }

  /** Disconnects and stops timers. Tasks keep running (a restarted agent reattaches). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.usageTimer?.cancel();
    this.gcTimer?.cancel();
    for (const t of this.tasks.values()) {
      t.health?.stop();
      t.killTimer?.cancel();
    }
    this.call?.cancel();
    this.client?.close();
    this.registered = false;
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
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

  /** Runs background work, logging its failure; stop() waits for it. */
  private track(p: Promise<unknown>, what: string): void {
    const q = p.catch((err: unknown) => {
      this.logger.error(`${what} failed`, { err: describeError(err) });
    });
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }

  // ---------------------------------------------------------------- connection

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
      },
    };
  }

  private connect(): void {
    if (this.stopped) return;
    const addrs = this.config.controllers;
    const addr = addrs[this.controllerIndex % Math.max(1, addrs.length)];
    if (addr === undefined) {
      this.logger.warn('no controller address configured; not connecting');
      return;
    }
    const proto = agentProto();
    this.client?.close();
    const client = new proto.mezzo.v1.Agent(addr, grpc.credentials.createInsecure(), {
      ...CLIENT_OPTIONS,
      'grpc.initial_reconnect_backoff_ms': 200,
    });
    this.client = client;
    const call = client.Connect();
    this.call = call;
    this.lastHeard = this.clock.now();
    let ended = false;
    const onDown = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.call === call) {
        this.call = undefined;
        this.registered = false;
        this.m.connected.set(0);
        this.heartbeatTimer?.cancel();
        this.logger.warn('controller stream closed', { controller: addr, why });
        this.scheduleReconnect();
      }
    };
    call.on('data', (msg: ControllerMessage__Output) => {
      this.lastHeard = this.clock.now();
      this.onMessage(msg);
    });
    call.on('error', (err: grpc.ServiceError) => onDown(err.details || err.message));
    call.on('end', () => onDown('stream ended'));
    call.on('close', () => onDown('stream closed'));
    if (this.agentId) {
      const ids = [...this.tasks.keys()];
      const tasks = ids.map((id) => this.tasks.get(id)?.task).filter((t) => t !== undefined);
      const latest = ids
        .map((id) => this.updates.latest(id))
        .map((u) => (u ? toProto(u, this.agentId) : {}));
      const fws = [...new Set([...this.tasks.values()].map((t) => t.framework.id))];
      call.write({
        reregister: {
          ...this.agentInfo(),
          tasks,
          latest_statuses: latest,
          framework_ids: fws,
        },
      });
    } else {
      call.write({ register: this.agentInfo() });
    }
    // A controller that never answers is as bad as one that hangs up.
    this.armHeartbeat(this.heartbeatMs);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer?.cancel();
    this.controllerIndex++;
    const base = this.config.reconnectMinSeconds * 1000 * 2 ** Math.min(this.reconnectAttempt, 16);
    const delay = Math.min(this.config.reconnectMaxSeconds * 1000, base);
    const jittered = delay / 2 + randomInt(Math.max(1, Math.floor(delay / 2)));
    this.reconnectAttempt++;
    this.reconnectTimer = this.clock.setTimer(jittered, () => this.connect());
  }

  private armHeartbeat(intervalMs: number): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.clock.setTimer(intervalMs, () => {
      const call = this.call;
      if (!call) return;
      if (this.clock.now() - this.lastHeard > 3 * this.heartbeatMs) {
        this.logger.warn('controller silent for 3 heartbeat intervals; reconnecting');
        call.cancel();
        return;
      }
      if (this.registered) this.write({ ping: { nonce: this.nonce++ } });
      this.armHeartbeat(this.heartbeatMs);
    });
  }

  private write(msg: AgentMessage): boolean {
    const call = this.call;
    if (!call) return false;
    try {
      call.write(msg);
      return true;
    } catch (err) {
      this.logger.warn('write to controller failed', { err: describeError(err) });
      return false;
    }
  }

  private sendUpdate(u: StoredUpdate): boolean {
    if (!this.registered) return false;
    return this.write({ status_update: { status: toProto(u, this.agentId) } });
  }

  private onMessage(msg: ControllerMessage__Output): void {
    switch (msg.payload) {
      case 'registered':
        if (msg.registered)
          this.track(
            this.onRegistered(msg.registered.agent_id, msg.registered.heartbeat_interval_seconds),
            'onRegistered',
          );
        break;
      case 'launch_task':
        if (msg.launch_task?.task && msg.launch_task.framework) {
          this.track(this.launch(msg.launch_task.task, msg.launch_task.framework), 'launch');
        }
        break;
      case 'kill_task':
        if (msg.kill_task) {
          const k = msg.kill_task;
          this.track(
            this.kill(
              k.task_id,
              k.framework_id,
              k.grace_period_seconds ?? undefined,
              'REASON_UNSPECIFIED',
              'killed at the request of the framework',
            ),
            'kill',
          );
        }
        break;
      case 'acknowledgement':
        if (msg.acknowledgement) {
          const a = msg.acknowledgement;
          this.track(
            this.updates
              .acknowledge(a.task_id, Buffer.from(a.uuid).toString('hex'))
              .then(() => this.m.pending.set(this.updates.pendingCount())),
            'acknowledgement',
          );
        }
        break;
      case 'ping':
        this.write({ pong: { nonce: msg.ping?.nonce ?? 0 } });
        break;
      case 'pong':
        break;
      case 'read_file':
        if (msg.read_file) this.track(this.readFile(msg.read_file), 'readFile');
        break;
      case 'shutdown_framework':
        if (msg.shutdown_framework) {
          const fw = msg.shutdown_framework.framework_id;
          for (const t of this.tasks.values()) {
            if (t.framework.id === fw) {
              this.track(
                this.kill(
                  t.task.task_id,
                  fw,
                  undefined,
                  'REASON_FRAMEWORK_REMOVED',
                  'framework removed',
                ),
                'kill',
              );
            }
          }
        }
        break;
      case 'shutdown':
        this.logger.warn('controller asked the agent to shut down; killing all tasks', {
          message: msg.shutdown?.message ?? '',
        });
        for (const t of this.tasks.values()) {
          this.track(
            this.kill(
              t.task.task_id,
              t.framework.id,
              undefined,
              'REASON_AGENT_REMOVED',
              'agent shut down',
            ),
            'kill',
          );
        }
        break;
      default:
        break;
    }
  }

  private async onRegistered(id: string, heartbeatSeconds: number): Promise<void> {
    if (id && id !== this.agentId) {
      this.agentId = id;
      await atomicWriteJson(join(this.metaDir, 'agent.json'), { agentId: id });
    }
    this.registered = true;
    this.reconnectAttempt = 0;
    this.m.connected.set(1);
    this.m.registrations.inc();
    if (heartbeatSeconds > 0) this.heartbeatMs = heartbeatSeconds * 1000;
    this.armHeartbeat(this.heartbeatMs);
    this.logger.info('registered', { agentId: this.agentId });
    this.updates.flush();
  }

  // ---------------------------------------------------------------- tasks

  private async checkpoint(t: TaskRecord): Promise<void> {
    const cp: TaskCheckpoint = {
      version: 1,
      task: t.task,
      framework: t.framework,
      key: t.key,
      sandbox: t.sandbox,
      cgroup: t.cgroup,
      launchedAt: t.launchedAt,
      ...(t.uid !== undefined ? { uid: t.uid } : {}),
      ...(t.gid !== undefined ? { gid: t.gid } : {}),
      ...(t.pid !== undefined ? { pid: t.pid } : {}),
      ...(t.startTime !== undefined ? { startTime: t.startTime } : {}),
      ...(t.kill ? { kill: t.kill } : {}),
      ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
    };
    await atomicWriteJson(join(t.metaDir, 'task.json'), cp);
  }

  private async update(t: TaskRecord, u: NewUpdate): Promise<void> {
    this.m.updates.inc({ state: u.state });
    await this.updates.update(t.task.task_id, u);
    this.m.pending.set(this.updates.pendingCount());
  }

  private buildEnv(t: TaskRecord, home: string): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      ...(t.task.command?.environment ?? {}),
      TASK_ID: t.task.task_id,
      MESOS_TASK_ID: t.task.task_id,
      MESOS_FRAMEWORK_ID: t.framework.id,
      MESOS_AGENT_ID: this.agentId,
      MESOS_SANDBOX: t.sandbox,
      MESOS_DIRECTORY: t.sandbox,
      MEZZO_SANDBOX: t.sandbox,
      HOST: this.config.hostname,
      PORTS: t.limits.ports.join(','),
    };
    t.limits.ports.forEach((p, i) => {
      env[`PORT${String(i)}`] = String(p);
    });
    const p0 = t.limits.ports[0];
    if (p0 !== undefined) env.PORT = String(p0);
    return env;
  }

  /** Handles LaunchTask. */
  async launch(task: TaskInfo__Output, framework: FrameworkInfoLite__Output): Promise<void> {
    const received = this.clock.now();
    const id = task.task_id;
    if (!id) return;
    if (this.tasks.has(id)) {
      this.logger.warn('duplicate launch ignored', { taskId: id });
      return;
    }
    const key = taskKey(framework.id, id);
    const t: TaskRecord = {
      version: 1,
      task,
      framework,
      key,
      sandbox: join(this.config.workDir, 'sandboxes', key),
      cgroup: key,
      launchedAt: received,
      metaDir: join(this.metaDir, 'tasks', key),
      phase: 'launching',
      limits: taskLimits(task.resources),
      env: {},
    };
    this.tasks.set(id, t);
    this.m.launches.inc();
    await Promise.all([
      fsp.mkdir(t.metaDir, { recursive: true }),
      fsp.mkdir(join(t.sandbox, '.mezzo'), { recursive: true }),
    ]);
    this.updates.open(id, framework.id, join(t.metaDir, 'updates.log'));
    await this.checkpoint(t);

    const userName = task.command?.user || framework.user || this.config.defaultUser;
    const pw = lookupUser(userName);
    const asRoot = process.getuid?.() === 0;
    if (!pw) {
      await this.finish(t, {
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_INVALID',
        message: `unknown user "${userName}"`,
      });
      return;
    }
    if (pw.uid === 0 && !this.config.allowRoot) {
      await this.finish(t, {
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_UNAUTHORIZED',
        message: 'tasks may not run as root on this agent (--allow-root is off)',
      });
      return;
    }
    if (asRoot && pw.uid !== 0) {
      t.uid = pw.uid;
      t.gid = pw.gid;
    }
    t.env = this.buildEnv(t, pw.home);
    // The cgroup is prepared while STARTING is persisted and URIs are fetched.
    const cgroupReady = this.cgroups
      .create(t.cgroup, {
        cpus: t.limits.cpus,
        memBytes: t.limits.memBytes,
        pids: this.config.pidsLimit,
        cfsPeriodUs: this.config.cfsPeriodUs,
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    await this.update(t, { state: 'TASK_STARTING' });

    try {
      await this.fetcher.fetchAll(task.command?.uris ?? [], t.sandbox);
    } catch (err) {
      await cgroupReady;
      await this.cgroups.destroy(t.cgroup).catch(() => undefined);
      await this.finish(t, {
        state: 'TASK_FAILED',
        reason: 'REASON_FETCH_FAILED',
        message: err instanceof FetchError ? err.message : `fetch failed: ${describeError(err)}`,
      });
      return;
    }
    if (t.kill) {
      await cgroupReady;
      await this.cgroups.destroy(t.cgroup).catch(() => undefined);
      await this.finish(t, {
        state: 'TASK_KILLED',
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
        message: 'killed before the command started',
      });
      return;
    }
    try {
      const cgErr = await cgroupReady;
      if (cgErr !== undefined) {
        throw cgErr instanceof Error ? cgErr : new Error(describeError(cgErr));
      }
      if (t.uid !== undefined && t.gid !== undefined) {
        await chownTree(t.sandbox, t.uid, t.gid, '.mezzo');
      }
      const cmd = task.command;
      const argv =
        cmd?.shell !== false ? ['/bin/sh', '-c', cmd?.value ?? ''] : [cmd.value, ...cmd.arguments];
      const proc = await this.containerizer.launch({
        sandbox: t.sandbox,
        cgroup: t.cgroup,
        argv,
        env: t.env,
        pidNamespace: this.config.pidNamespace,
        uid: t.uid,
        gid: t.gid,
      });
      t.proc = proc;
      t.pid = proc.pid;
      t.startTime = proc.startTime;
      t.phase = 'running';
    } catch (err) {
      await this.cgroups.destroy(t.cgroup).catch(() => undefined);
      await this.finish(t, {
        state: 'TASK_FAILED',
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: `launch failed: ${describeError(err)}`,
      });
      return;
    }
    // The pid checkpoint and RUNNING are persisted concurrently: should the agent die
    // before the checkpoint lands, recovery finds the supervisor through
    // .mezzo/supervisor.pid (validated by its command line).
    await Promise.all([this.checkpoint(t), this.update(t, { state: 'TASK_RUNNING' })]);
    this.m.launchLatency.observe((this.clock.now() - received) / 1000);
    this.watch(t);
    // A kill that arrived while the supervisor was being spawned (t.kill changes across awaits).
    if (killRequested(t)) await this.startKill(t);
  }

  /** Starts health checks and waits for the task's exit. */
  private watch(t: TaskRecord): void {
    const hc = t.task.health_check;
    if (hc && hc.type !== 'TYPE_UNSPECIFIED' && !t.kill) {
      t.health = new HealthChecker(
        hc,
        { sandbox: t.sandbox, env: t.env, ports: t.limits.ports, uid: t.uid, gid: t.gid },
        this.clock,
        {
          onChange: (healthy, message) => {
            if (t.phase !== 'running') return;
            this.track(
              this.update(t, {
                state: 'TASK_RUNNING',
                reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
                healthy,
                message,
              }),
              'update',
            );
          },
          onUnhealthy: (message) => {
            if (!hc.kill_when_unhealthy || t.kill) return;
            this.track(
              this.kill(
                t.task.task_id,
                t.framework.id,
                undefined,
                'REASON_TASK_UNHEALTHY',
                message,
              ),
              'kill',
            );
          },
        },
      );
      t.health.start();
    }
    const proc = t.proc;
    if (!proc) return;
    void proc.exited.then((exit) => {
      // A stopped agent behaves like a dead one: the next one sees the exit status.
      if (!this.stopped) this.track(this.onExit(t, exit.status), 'task exit handling');
    });
  }

  private async onExit(t: TaskRecord, status: number | undefined): Promise<void> {
    if (t.phase === 'done') return;
    t.health?.stop();
    t.killTimer?.cancel();
    let stats: CgroupStats | undefined;
    try {
      stats = await this.cgroups.stats(t.cgroup);
      t.lastStats = stats;
    } catch {
      stats = undefined;
    }
    const memMiB = Math.round(t.limits.memBytes / 1048576);
    let u: NewUpdate;
    if (stats && stats.oomKills > 0) {
      u = {
        state: 'TASK_FAILED',
        reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
        message: `memory limit exceeded: the task used more than its ${String(memMiB)} MiB and was OOM-killed`,
      };
    } else if (t.kill) {
      u = { state: 'TASK_KILLED', reason: t.kill.reason, message: t.kill.message };
    } else if (status === 0) {
      u = { state: 'TASK_FINISHED', message: 'command exited 0' };
    } else if (status === undefined) {
      u = {
        state: 'TASK_FAILED',
        reason: 'REASON_EXECUTOR_TERMINATED',
        message: 'the task supervisor ended without recording an exit status',
      };
    } else {
      u = {
        state: 'TASK_FAILED',
        reason: 'REASON_COMMAND_EXITED_NONZERO',
        message:
          status > 128
            ? `command terminated by ${signalName(status)} (exit status ${String(status)})`
            : `command exited with status ${String(status)}`,
      };
    }
    if (status !== undefined) u.exitCode = status;
    await this.finish(t, u);
    await this.cgroups.destroy(t.cgroup).catch((err: unknown) => {
      this.logger.warn('cgroup cleanup failed', {
        taskId: t.task.task_id,
        err: describeError(err),
      });
    });
  }

  /** Records a terminal update and checkpoints the finish time. */
  private async finish(t: TaskRecord, u: NewUpdate): Promise<void> {
    if (t.phase === 'done') return;
    t.phase = 'done';
    t.health?.stop();
    t.killTimer?.cancel();
    t.finishedAt = this.clock.now();
    this.removeTaskMetrics(t);
    await this.update(t, u);
    await this.checkpoint(t);
    this.logger.info('task finished', { taskId: t.task.task_id, state: u.state, reason: u.reason });
  }

  /** Kill policy: SIGTERM to the task's process group, SIGKILL after the grace period. */
  async kill(
    taskId: string,
    frameworkId: string,
    graceSeconds: number | undefined,
    reason: StatusReason__Output,
    message: string,
  ): Promise<void> {
    const t = this.tasks.get(taskId);
    if (!t) {
      this.logger.warn('kill for unknown task', { taskId });
      this.write({
        status_update: {
          status: {
            task_id: taskId,
            framework_id: frameworkId,
            agent_id: this.agentId,
            state: 'TASK_DROPPED',
            reason: 'REASON_TASK_UNKNOWN',
            source: 'SOURCE_AGENT',
            message: 'the agent does not know this task',
            timestamp: this.clock.now() / 1000,
          },
        },
      });
      return;
    }
    if (t.phase === 'done' || t.kill) return;
    t.kill = { reason, message };
    await this.checkpoint(t);
    t.killGrace = graceSeconds;
    // A task still launching is killed by launch() once it is running (or before it starts).
    if (t.phase === 'running') await this.startKill(t);
  }

  private async startKill(t: TaskRecord): Promise<void> {
    const grace =
      t.killGrace ??
      (t.task.kill_grace_period_seconds > 0 ? t.task.kill_grace_period_seconds : undefined) ??
      this.config.killGraceSeconds;
    await this.signalTask(t, 'SIGTERM');
    t.killTimer?.cancel();
    t.killTimer = this.clock.setTimer(grace * 1000, () => {
      this.track(this.signalTask(t, 'SIGKILL'), 'signalTask');
    });
  }

  private async signalTask(t: TaskRecord, sig: NodeJS.Signals): Promise<void> {
    if (t.phase !== 'running') return;
    await this.containerizer.signal(t.sandbox, t.cgroup, t.pid, sig);
  }

  // ---------------------------------------------------------------- recovery

  private async recover(): Promise<void> {
    const dir = join(this.metaDir, 'tasks');
    const keys = await fsp.readdir(dir);
    for (const key of keys) {
      const metaDir = join(dir, key);
      let cp: TaskCheckpoint | undefined;
      try {
        cp = (await readJson(join(metaDir, 'task.json'))) as TaskCheckpoint | undefined;
      } catch (err) {
        this.logger.error('unreadable task checkpoint skipped', { key, err: describeError(err) });
        continue;
      }
      if (!cp) continue;
      const t: TaskRecord = {
        ...cp,
        metaDir,
        phase: 'launching',
        limits: taskLimits(cp.task.resources),
        env: {},
      };
      const id = cp.task.task_id;
      this.tasks.set(id, t);
      await this.updates.recover(id, cp.framework.id, join(metaDir, 'updates.log'));
      const pw = lookupUser(cp.task.command?.user || cp.framework.user || this.config.defaultUser);
      t.env = this.buildEnv(t, pw?.home ?? '/');
      const latest = this.updates.latest(id);
      if (latest && isTerminal(latest.state)) {
        t.phase = 'done';
        t.finishedAt ??= this.clock.now();
        await this.cgroups.destroy(t.cgroup).catch(() => undefined);
        continue;
      }
      await this.recoverLive(t);
    }
    this.m.pending.set(this.updates.pendingCount());
  }

  private async recoverLive(t: TaskRecord): Promise<void> {
    let pid = t.pid;
    let startTime = t.startTime;
    if (pid === undefined) {
      // The agent died between spawning the supervisor and checkpointing its pid.
      const candidate = await this.containerizer.supervisorPid(t.sandbox);
      const cmdline = candidate === undefined ? undefined : await readCmdline(candidate);
      if (candidate !== undefined && cmdline?.includes(t.sandbox)) {
        pid = candidate;
        startTime = (await readProcStat(candidate))?.startTime;
      }
    }
    const launched = pid !== undefined || (await readExitStatus(t.sandbox)) !== undefined;
    if (pid !== undefined && startTime !== undefined && (await isSameLiveProcess(pid, startTime))) {
      t.pid = pid;
      t.startTime = startTime;
      t.phase = 'running';
      t.proc = this.containerizer.reattach(pid, startTime, t.sandbox);
      await this.checkpoint(t);
      this.logger.info('reattached to task', { taskId: t.task.task_id, pid });
      const latest = this.updates.latest(t.task.task_id);
      if (latest?.state !== 'TASK_RUNNING') await this.update(t, { state: 'TASK_RUNNING' });
      this.watch(t);
      if (t.kill) {
        // A kill was in progress when the agent died: finish it.
        const kill = t.kill;
        t.kill = undefined;
        await this.kill(t.task.task_id, t.framework.id, undefined, kill.reason, kill.message);
      }
      return;
    }
    if (launched) {
      t.phase = 'running';
      await this.onExit(t, await readExitStatus(t.sandbox));
      return;
    }
    await this.finish(t, {
      state: 'TASK_FAILED',
      reason: 'REASON_AGENT_RESTARTED',
      message: 'the agent restarted before the task was launched',
    });
    await this.cgroups.destroy(t.cgroup).catch(() => undefined);
  }

  // ---------------------------------------------------------------- usage, files, GC

  private scheduleUsage(): void {
    if (this.stopped) return;
    this.usageTimer = this.clock.setTimer(this.config.usageIntervalSeconds * 1000, () => {
      void this.collectUsage().then((usage) => {
        if (this.registered && usage.length > 0) {
          this.write({ usage: { tasks: usage, timestamp: this.clock.now() / 1000 } });
        }
        this.scheduleUsage();
      });
    });
  }

  /** Reads every running task's cgroup, updates the gauges, returns the usage report. */
  async collectUsage(): Promise<TaskUsage[]> {
    const out: TaskUsage[] = [];
    const phases = { launching: 0, running: 0, done: 0 };
    for (const t of this.tasks.values()) {
      phases[t.phase]++;
      if (t.phase !== 'running') continue;
      let s: CgroupStats;
      try {
        s = await this.cgroups.stats(t.cgroup);
      } catch {
        continue;
      }
      t.lastStats = s;
      const l = { task_id: t.task.task_id, framework_id: t.framework.id };
      this.m.cpuUser.set(l, s.cpuUserSeconds);
      this.m.cpuSystem.set(l, s.cpuSystemSeconds);
      this.m.memRss.set(l, s.memRssBytes);
      this.m.memUsage.set(l, s.memUsageBytes);
      this.m.memLimit.set(l, t.limits.memBytes);
      this.m.periods.set(l, s.nrPeriods);
      this.m.throttled.set(l, s.nrThrottled);
      this.m.throttledSec.set(l, s.throttledSeconds);
      this.m.pids.set(l, s.pidsCurrent);
      this.m.oom.set(l, s.oomKills);
      out.push({
        task_id: t.task.task_id,
        framework_id: t.framework.id,
        cpu_user_seconds: s.cpuUserSeconds,
        cpu_system_seconds: s.cpuSystemSeconds,
        mem_rss_bytes: s.memRssBytes,
        mem_limit_bytes: t.limits.memBytes,
        cpu_nr_periods: s.nrPeriods,
        cpu_nr_throttled: s.nrThrottled,
        cpu_throttled_seconds: s.throttledSeconds,
        pids_current: s.pidsCurrent,
      });
    }
    for (const [phase, n] of Object.entries(phases)) this.m.tasks.set({ phase }, n);
    this.m.pending.set(this.updates.pendingCount());
    return out;
  }

  private removeTaskMetrics(t: TaskRecord): void {
    const l = { task_id: t.task.task_id, framework_id: t.framework.id };
    for (const g of [
      this.m.cpuUser,
      this.m.cpuSystem,
      this.m.memRss,
      this.m.memUsage,
      this.m.memLimit,
      this.m.periods,
      this.m.throttled,
      this.m.throttledSec,
      this.m.pids,
      this.m.oom,
    ]) {
      g.remove(l);
    }
  }

  private async readFile(req: ReadFile__Output): Promise<void> {
    const reply = (data: Buffer, eof: boolean, error = ''): void => {
      this.write({
        file_data: { request_id: req.request_id, data, offset: req.offset, eof, error },
      });
    };
    const t = this.tasks.get(req.task_id);
    if (!t) {
      reply(Buffer.alloc(0), true, `unknown task ${req.task_id}`);
      return;
    }
    const path = resolvePath(t.sandbox, req.path || 'stdout');
    if (path !== t.sandbox && !path.startsWith(t.sandbox + sep)) {
      reply(Buffer.alloc(0), true, 'path escapes the sandbox');
      return;
    }
    const length = Math.min(req.length > 0 ? req.length : 1 << 20, 4 << 20);
    try {
      const fh = await fsp.open(path, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, req.offset);
        const size = (await fh.stat()).size;
        reply(buf.subarray(0, bytesRead), req.offset + bytesRead >= size);
      } finally {
        await fh.close();
      }
    } catch (err) {
      reply(Buffer.alloc(0), true, describeError(err));
    }
  }

  private scheduleGc(): void {
    if (this.stopped) return;
    const every = Math.min(60, Math.max(1, this.config.gcAgeSeconds / 4)) * 1000;
    this.gcTimer = this.clock.setTimer(every, () => {
      void this.gc().finally(() => this.scheduleGc());
    });
  }

  /** Removes sandboxes and checkpoints of tasks done (terminal update acked) for gcAge. */
  async gc(): Promise<number> {
    const now = this.clock.now();
    let removed = 0;
    for (const [id, t] of [...this.tasks]) {
      if (t.phase !== 'done' || !this.updates.isDone(id)) continue;
      if (now - (t.finishedAt ?? now) < this.config.gcAgeSeconds * 1000) continue;
      await this.updates.close(id);
      this.tasks.delete(id);
      await fsp.rm(t.sandbox, { recursive: true, force: true });
      await fsp.rm(t.metaDir, { recursive: true, force: true });
      removed++;
    }
    if (removed > 0) this.logger.info('garbage-collected sandboxes', { removed });
    return removed;
  }

  // ---------------------------------------------------------------- HTTP

  private async startHttp(): Promise<void> {
    const server = http.createServer((req, res) => {
      void this.serveHttp(req, res);
    });
    this.httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.httpPort, this.config.httpHost, () => resolve());
    });
    this.httpPort = (server.address() as AddressInfo).port;
  }

  private async serveHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname === '/metrics') {
      await this.collectUsage();
      res.writeHead(200, { 'content-type': this.metrics.contentType });
      res.end(await this.metrics.exposition());
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ok: true,
          registered: this.registered,
          agentId: this.agentId,
          tasks: this.tasks.size,
          cgroups: this.cgroups.version,
        }),
      );
      return;
    }
    if (url.pathname === '/state') {
      const tasks = [...this.tasks.values()].map((t) => ({
        taskId: t.task.task_id,
        frameworkId: t.framework.id,
        phase: t.phase,
        pid: t.pid,
        sandbox: t.sandbox,
        state: this.updates.latest(t.task.task_id)?.state,
        pendingUpdates: this.updates.pending(t.task.task_id).length,
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ agentId: this.agentId, registered: this.registered, tasks }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}
