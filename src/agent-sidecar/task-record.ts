/**
 * The agent's per-task record and its checkpointed form, plus the small pure helpers that
 * name a task on disk and describe how it ended. Kept apart from the Agent so that the
 * launch, recovery, usage and GC code can share one definition of a task.
 */
import { createHash } from 'node:crypto';
import type { Timer } from '../shared/clock.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import type { CgroupStats } from './cgroups.js';
import type { taskLimits } from './config.js';
import type { TaskProcess } from './containerizer.js';
import type { HealthChecker } from './health.js';

/** The checkpointed form of a task (meta/tasks/<key>/task.json). */
export interface TaskCheckpoint {
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

/** A task as the running agent knows it: the checkpoint plus in-memory state. */
export interface TaskRecord extends TaskCheckpoint {
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

/** Whether a kill was requested (and checkpointed) for the task. */
export function killRequested(t: TaskCheckpoint): boolean {
  return t.kill !== undefined;
}

/**
 * The task's directory/cgroup name: a readable prefix of the task ID plus a hash of the
 * framework and task IDs, so that odd characters or equal task IDs in two frameworks
 * cannot collide or escape the work dir.
 */
export function taskKey(frameworkId: string, taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  const h = createHash('sha256').update(`${frameworkId}\0${taskId}`).digest('hex').slice(0, 10);
  return `${safe}-${h}`;
}

/** The persisted part of a record: only checkpoint fields, absent ones left out. */
export function toCheckpoint(t: TaskRecord): TaskCheckpoint {
  return {
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
}
