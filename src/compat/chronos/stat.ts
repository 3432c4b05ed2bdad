/**
 * GET /v1/scheduler/job/stat/{name}: Chronos' run statistics for one job, from the runs
 * the Schedule's status keeps (its `historyLimit` newest finished runs and those in
 * progress). `histogram` is over the finished runs' durations in milliseconds;
 * `taskStatHistory` lists each run with Chronos' task states (Success, Fail, Running).
 */
import { fromStatus } from '../../frameworks/schedules/status.js';
import { taskIdOf } from '../../frameworks/schedules/status.js';
import type { RunRecord } from '../../frameworks/schedules/planner.js';
import type { StoredObject } from '../../store/types.js';

/** Chronos' histogram of run durations (ms). */
export interface DurationHistogram {
  '75thPercentile': number;
  '95thPercentile': number;
  '98thPercentile': number;
  '99thPercentile': number;
  median: number;
  mean: number;
  count: number;
}

/** One run as Chronos' stat endpoint lists it. */
export interface TaskStat {
  taskId: string;
  jobName: string;
  slaveId: string;
  startTime: string;
  endTime: string;
  duration?: string;
  status: 'Success' | 'Fail' | 'Running';
}

/** The stat endpoint's answer. */
export interface JobStat {
  histogram: DurationHistogram;
  taskStatHistory: TaskStat[];
}

/** The value at quantile `q` of sorted `xs` (nearest rank; 0 for none). */
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const i = Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1));
  return xs[i] ?? 0;
}

/** Chronos' `MM/dd/yy HH:mm:ss`, in UTC. */
function chronosTime(ms: number | undefined): string {
  if (ms === undefined) return 'N/A';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** A duration as Chronos prints it: `0d0h1m5s`. */
function chronosDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}

/** Statistics of a Schedule's runs; `agentOf` names the agent of a known task. */
export function jobStat(obj: StoredObject, agentOf: (taskId: string) => string): JobStat {
  const { state } = fromStatus(obj.status);
  const ns = obj.metadata.namespace ?? 'default';
  const durations = state.history
    .filter((r) => r.finishedAt !== undefined)
    .map((r) => (r.finishedAt ?? r.startedAt) - r.startedAt)
    .sort((a, b) => a - b);
  const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : 0;
  const stat = (r: RunRecord, running: boolean): TaskStat => {
    const taskId = taskIdOf(ns, r.id);
    return {
      taskId,
      jobName: obj.metadata.name,
      slaveId: agentOf(taskId),
      startTime: chronosTime(r.startedAt),
      endTime: chronosTime(r.finishedAt),
      ...(r.finishedAt !== undefined
        ? { duration: chronosDuration(r.finishedAt - r.startedAt) }
        : {}),
      status: running ? 'Running' : r.result === 'Succeeded' ? 'Success' : 'Fail',
    };
  };
  return {
    histogram: {
      '75thPercentile': quantile(durations, 0.75),
      '95thPercentile': quantile(durations, 0.95),
      '98thPercentile': quantile(durations, 0.98),
      '99thPercentile': quantile(durations, 0.99),
      median: quantile(durations, 0.5),
      mean,
      count: durations.length,
    },
    taskStatHistory: [
      ...state.running.map((r) => stat(r, true)),
      ...state.history.map((r) => stat(r, false)),
    ],
  };
}
