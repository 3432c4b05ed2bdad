/**
 * The task lifecycle on the agent: launch (user, cgroup, fetch, spawn under the
 * supervisor), watch (health checks, exit), the terminal update, and kill with a grace
 * period. Every step is checkpointed before it is reported, so that recovery after an
 * agent crash (task-recovery.ts) can tell how far a task got.
 */
import { lchownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import { unknownTaskDropped } from './controller-messages.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import { removeTaskMetrics, type AgentMetrics } from './agent-metrics.js';
import { enforceableLimits } from './cgroup-limits.js';
import { NO_STATS, type Cgroups, type ExitStats } from './cgroups.js';
import { taskLimits, type AgentConfig } from './config.js';
import type { Containerizer } from './containerizer.js';
import { FetchError, type Fetcher } from './fetcher.js';
import { HealthChecker } from './health.js';
import { LaunchGate } from './launch-gate.js';
import type { NewUpdate, StatusUpdateManager } from './status-updates.js';
import { buildTaskEnv } from './task-env.js';
import type { TaskStatusWriter } from './task-status-writer.js';
import { appendCheckpoint, UPDATES_LOG, writeFirstCheckpoint } from './task-checkpoint.js';
import { exitUpdate } from './task-exit.js';
import { killRequested, taskKey, toCheckpoint, type TaskRecord } from './task-record.js';
import { chownTree, lookupUser } from './users.js';

/** How soon a signal that reached no process of a running task is sent again. */
const SIGNAL_RETRY_MS = 20;

/** What the task lifecycle needs from the agent. */
export interface TaskRunnerDeps {
  config: AgentConfig;
  clock: Clock;
  logger: Logger;
  cgroups: Cgroups;
  containerizer: Containerizer;
  fetcher: Fetcher;
  updates: StatusUpdateManager;
  m: AgentMetrics;
  /** The agent's meta directory (checkpoints live under its `tasks/`). */
  metaDir: string;
  /** The agent ID now (it may be assigned after tasks were recovered). */
  agentId(): string;
  /** Whether the agent was stopped: a stopped agent must not report exits. */
  isStopped(): boolean;
  /** Runs background work, logging its failure; the agent's stop() waits for it. */
  track(p: Promise<unknown>, what: string): void;
  /** Writes to the controller stream (false when not connected). */
  write(msg: AgentMessage): boolean;
  /** Writes RUNNING onto the Task objects of tasks launched for one (`--write-task-status`). */
  statusWriter?: TaskStatusWriter;
}

/** Owns the agent's tasks by task ID and drives each through its lifecycle. */
export class TaskRunner {
  /** Every task the agent knows, until garbage-collected. */
  readonly tasks = new Map<string, TaskRecord>();
  /** Tasks whose first checkpoint is not written yet (no directory to write a kill to). */
  private readonly unwritten = new Set<string>();
  private readonly gate: LaunchGate;
  /** Per task, the checkpoint append in progress (appends must land in order). */
  private readonly checkpoints = new WeakMap<TaskRecord, Promise<void>>();
  private readonly config: AgentConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly cgroups: Cgroups;
  private readonly containerizer: Containerizer;
  private readonly fetcher: Fetcher;
  private readonly updates: StatusUpdateManager;
  private readonly m: AgentMetrics;
  private readonly metaDir: string;

  /** Creates the runner with no tasks; launch() or recovery fill it. */
  constructor(private readonly d: TaskRunnerDeps) {
    this.config = d.config;
    this.clock = d.clock;
    this.logger = d.logger;
    this.cgroups = d.cgroups;
    this.containerizer = d.containerizer;
    this.fetcher = d.fetcher;
    this.updates = d.updates;
    this.m = d.m;
    this.metaDir = d.metaDir;
    this.gate = new LaunchGate(d.config.launchConcurrency);
  }

  private get stopped(): boolean {
    return this.d.isStopped();
  }

  private get agentId(): string {
    return this.d.agentId();
  }

  private track(p: Promise<unknown>, what: string): void {
    this.d.track(p, what);
  }

  private write(msg: AgentMessage): boolean {
    return this.d.write(msg);
  }

  /**
   * Persists the task's checkpoint (task-checkpoint.ts). Only the first, written before
   * the task is reported STARTING, must survive a machine crash (`durable`); it also
   * creates the status-update log, so that one directory fsync covers both. Later ones
   * (pid, kill, finish time) describe processes that a reboot ends anyway: appended
   * without fsync, one at a time per task so that the last line is the newest state.
   */
  async checkpoint(t: TaskRecord, durable = false): Promise<void> {
    const cp = toCheckpoint(t);
    if (durable) {
      await writeFirstCheckpoint(t.metaDir, cp, [UPDATES_LOG]);
      return;
    }
    const prev = this.checkpoints.get(t) ?? Promise.resolve();
    const next = prev.then(() => appendCheckpoint(t.metaDir, cp));
    this.checkpoints.set(
      t,
      next.catch(() => undefined),
    );
    await next;
  }

  /** Records (persists, then sends) a status update for the task. */
  async update(t: TaskRecord, u: NewUpdate): Promise<void> {
    this.m.updates.inc({ state: u.state });
    await this.updates.update(t.task.task_id, u);
    this.m.pending.set(this.updates.pendingCount());
  }

  /** The task's environment for a user whose home is `home`. */
  buildEnv(t: TaskRecord, home: string): Record<string, string> {
    return buildTaskEnv(t, home, this.agentId, this.config.hostname);
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
    this.unwritten.add(id);
    await this.gate.run(() => this.start(t, received));
  }

  /** Launch steps of a task holding a launch slot: until RUNNING is persisted. */
  private async start(t: TaskRecord, received: number): Promise<void> {
    const { task, framework } = t;
    const id = task.task_id;
    // Synchronous, as the agent's other small file calls (fsutil.ts).
    mkdirSync(t.metaDir, { recursive: true });
    const created = mkdirSync(join(t.sandbox, '.mezzo'), { recursive: true });
    // A sandbox this launch made holds only `.mezzo/` until URIs are fetched into it.
    const freshSandbox = created === t.sandbox;
    this.updates.open(id, framework.id, join(t.metaDir, UPDATES_LOG));
    await this.checkpoint(t, true);
    this.unwritten.delete(id);
    // Never run a task unlimited: no cpus or mem to set its quota and limit from is an
    // invalid task (the controller refuses these too; this agent does not rely on it).
    const limits = enforceableLimits(t.limits, this.config);
    if (!limits.ok) {
      await this.finish(t, {
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_INVALID',
        message: `refused: ${limits.message}`,
      });
      return;
    }

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
    const cgroupReady = this.cgroups.create(t.cgroup, limits.limits).then(
      () => undefined,
      (err: unknown) => err,
    );
    await this.update(t, { state: 'TASK_STARTING' });

    try {
      await this.fetcher.fetchAll(
        task.command?.uris ?? [],
        t.sandbox,
        t.uid !== undefined && t.gid !== undefined ? { uid: t.uid, gid: t.gid } : undefined,
      );
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
        // Nothing below a fresh sandbox to walk when nothing was fetched: one lchown.
        if (freshSandbox && (task.command?.uris.length ?? 0) === 0)
          lchownSync(t.sandbox, t.uid, t.gid);
        else await chownTree(t.sandbox, t.uid, t.gid, '.mezzo');
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
    this.d.statusWriter?.running(t.task, t.framework.id);
    this.m.launchLatency.observe((this.clock.now() - received) / 1000);
    this.watch(t);
    // A kill that arrived while the supervisor was being spawned (t.kill changes across awaits).
    if (killRequested(t)) this.d.track(this.startKill(t), 'kill');
  }

  /** Starts health checks and waits for the task's exit. */
  watch(t: TaskRecord): void {
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

  /**
   * Turns the task's exit (undefined: the supervisor left no exit status) into its
   * terminal update and removes its cgroup.
   */
  async onExit(t: TaskRecord, status: number | undefined): Promise<void> {
    if (t.phase === 'done') return;
    t.health?.stop();
    t.killTimer?.cancel();
    let stats: ExitStats | undefined;
    try {
      // Only what the terminal update needs; CPU and memory figures stay as the last
      // usage sample had them (the task's metrics are removed at the end anyway).
      stats = await this.cgroups.exitStats(t.cgroup);
      t.lastStats = { ...(t.lastStats ?? NO_STATS), ...stats };
    } catch {
      stats = undefined;
    }
    const u = exitUpdate(t, status, stats);
    await this.finish(t, u);
    await this.cgroups.destroy(t.cgroup).catch((err: unknown) => {
      this.logger.warn('cgroup cleanup failed', {
        taskId: t.task.task_id,
        err: describeError(err),
      });
    });
  }

  /** Records a terminal update and checkpoints the finish time. */
  async finish(t: TaskRecord, u: NewUpdate): Promise<void> {
    if (t.phase === 'done') return;
    t.phase = 'done';
    t.health?.stop();
    t.killTimer?.cancel();
    t.finishedAt = this.clock.now();
    removeTaskMetrics(this.m, t);
    await this.update(t, u);
    await this.checkpoint(t);
    const reason = u.reason === 'REASON_UNSPECIFIED' ? undefined : u.reason; // proto3's "none"
    this.logger.info('task finished', { taskId: t.task.task_id, state: u.state, reason });
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
      this.write(unknownTaskDropped(taskId, frameworkId, this.agentId, this.clock.now()));
      return;
    }
    if (t.phase === 'done' || t.kill) return;
    t.kill = { reason, message };
    // A launch still waiting for its slot writes its first checkpoint with the kill in it.
    if (!this.unwritten.has(taskId)) await this.checkpoint(t);
    t.killGrace = graceSeconds;
    // A task still launching is killed by launch() once it is running (or before it starts).
    if (t.phase === 'running') await this.startKill(t);
  }

  /** Sends SIGTERM now and arms SIGKILL after the grace period. */
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

  /**
   * Signals the task's process group, only while it runs. The agent reports a task
   * running once its supervisor exists, and the supervisor forks the task after joining
   * its cgroups: a signal sent in between reaches nothing and is sent again shortly, until
   * it reaches the task or the supervisor has exited (a kill with no grace was lost so).
   */
  private async signalTask(t: TaskRecord, sig: NodeJS.Signals): Promise<void> {
    if (t.phase !== 'running') return;
    const reached = await this.containerizer.signal(t.sandbox, t.cgroup, t.pid, sig);
    if (reached > 0 || this.stopped) return;
    this.clock.setTimer(SIGNAL_RETRY_MS, () => {
      this.track(this.signalTask(t, sig), 'signalTask');
    });
  }
}
