/**
 * Recovery after an agent restart: rebuilds the task table from checkpoints and the
 * status-update logs, reattaches to tasks still running (validated by pid start time so a
 * reused pid is never mistaken for the task), and settles those that ended while the agent
 * was down. Runs once, before the agent connects, so the controller gets the true state.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../shared/errors.js';
import { taskLimits } from './config.js';
import { readExitStatus } from './containerizer.js';
import { isSameLiveProcess, readProcStat, worksIn } from './procfs.js';
import { isTerminal } from './status-updates.js';
import { readLatestCheckpoint, UPDATES_LOG } from './task-checkpoint.js';
import type { TaskRunner, TaskRunnerDeps } from './task-lifecycle.js';
import type { TaskCheckpoint, TaskRecord } from './task-record.js';
import { lookupUser } from './users.js';

/** Recovers checkpointed tasks into a {@link TaskRunner}. */
export class TaskRecovery {
  /** Recovers into `runner`, using the same dependencies it was built with. */
  constructor(
    private readonly runner: TaskRunner,
    private readonly d: TaskRunnerDeps,
  ) {}

  /**
   * Loads every task checkpoint: finished tasks are kept (their unacknowledged updates are
   * resent), live ones reattached, the rest ended with what the sandbox tells.
   */
  async recover(): Promise<void> {
    const dir = join(this.d.metaDir, 'tasks');
    const keys = await fsp.readdir(dir);
    for (const key of keys) {
      const metaDir = join(dir, key);
      let cp: TaskCheckpoint | undefined;
      try {
        cp = await readLatestCheckpoint(metaDir);
      } catch (err) {
        this.d.logger.error('unreadable task checkpoint skipped', { key, err: describeError(err) });
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
      this.runner.tasks.set(id, t);
      await this.d.updates.recover(id, cp.framework.id, join(metaDir, UPDATES_LOG));
      const pw = lookupUser(
        cp.task.command?.user || cp.framework.user || this.d.config.defaultUser,
      );
      t.env = this.runner.buildEnv(t, pw?.home ?? '/');
      const latest = this.d.updates.latest(id);
      if (latest && isTerminal(latest.state)) {
        t.phase = 'done';
        t.finishedAt ??= this.d.clock.now();
        await this.d.cgroups.destroy(t.cgroup).catch(() => undefined);
        continue;
      }
      await this.recoverLive(t);
    }
    this.d.m.pending.set(this.d.updates.pendingCount());
  }

  /**
   * A task not known to be finished: reattach to its supervisor if it still runs, else
   * report the exit it recorded, else (never spawned) fail it as REASON_AGENT_RESTARTED.
   */
  private async recoverLive(t: TaskRecord): Promise<void> {
    let pid = t.pid;
    let startTime = t.startTime;
    if (pid === undefined) {
      // The agent died between spawning the supervisor and checkpointing its pid.
      // Accepted only if that process works in this sandbox's .mezzo/ (the supervisor
      // changes there first, and the pid may have been reused since).
      const candidate = await this.d.containerizer.supervisorPid(t.sandbox);
      if (candidate !== undefined && (await worksIn(candidate, join(t.sandbox, '.mezzo')))) {
        pid = candidate;
        startTime = (await readProcStat(candidate))?.startTime;
      }
    }
    const launched = pid !== undefined || (await readExitStatus(t.sandbox)) !== undefined;
    if (pid !== undefined && startTime !== undefined && (await isSameLiveProcess(pid, startTime))) {
      t.pid = pid;
      t.startTime = startTime;
      t.phase = 'running';
      t.proc = this.d.containerizer.reattach(pid, startTime, t.sandbox);
      await this.runner.checkpoint(t);
      this.d.logger.info('reattached to task', { taskId: t.task.task_id, pid });
      const latest = this.d.updates.latest(t.task.task_id);
      if (latest?.state !== 'TASK_RUNNING') await this.runner.update(t, { state: 'TASK_RUNNING' });
      this.runner.watch(t);
      if (t.kill) {
        // A kill was in progress when the agent died: finish it.
        const kill = t.kill;
        t.kill = undefined;
        await this.runner.kill(
          t.task.task_id,
          t.framework.id,
          undefined,
          kill.reason,
          kill.message,
        );
      }
      return;
    }
    if (launched) {
      t.phase = 'running';
      await this.runner.onExit(t, await readExitStatus(t.sandbox));
      return;
    }
    await this.runner.finish(t, {
      state: 'TASK_FAILED',
      reason: 'REASON_AGENT_RESTARTED',
      message: 'the agent restarted before the task was launched',
    });
    await this.d.cgroups.destroy(t.cgroup).catch(() => undefined);
  }
}
