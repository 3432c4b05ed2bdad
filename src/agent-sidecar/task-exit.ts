/**
 * How a task ended, in Mesos terms: the terminal update for a supervisor's exit status.
 * An OOM kill wins over everything (the exit status of an OOM-killed task is just SIGKILL
 * and would read as a plain kill), then a requested kill, then the status itself.
 */
import type { ExitStats } from './cgroups.js';
import type { NewUpdate } from './status-updates.js';
import type { TaskRecord } from './task-record.js';

/** The signal name for an exit status of 128+n (as the supervisor records it). */
export function signalName(status: number): string {
  const names: Record<number, string> = {
    9: 'SIGKILL',
    15: 'SIGTERM',
    6: 'SIGABRT',
    11: 'SIGSEGV',
  };
  const n = status - 128;
  return names[n] ?? `signal ${String(n)}`;
}

/**
 * The terminal update for task `t` whose supervisor ended with `status` (undefined: it
 * recorded none), given the cgroup's final `stats` (undefined: unreadable).
 */
export function exitUpdate(
  t: TaskRecord,
  status: number | undefined,
  stats: ExitStats | undefined,
): NewUpdate {
  // The limit the cgroup really had (small ones are rounded up), else the task's mem.
  const limitBytes = stats && stats.memLimitBytes > 0 ? stats.memLimitBytes : t.limits.memBytes;
  const memMiB = Math.round(limitBytes / 1048576);
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
  return u;
}
