/**
 * The agent's Prometheus metrics and its usage report: one place defines every series so
 * that the per-task gauges can be set on collection and all removed when a task is
 * garbage-collected (stale series would otherwise live forever).
 */
import type { MetricsRegistry } from '../shared/metrics.js';
import type { TaskUsage } from '../gen/mezzo/v1/TaskUsage.js';
import type { Cgroups, CgroupStats } from './cgroups.js';
import type { StatusUpdateManager } from './status-updates.js';
import type { TaskRecord } from './task-record.js';

/** Registers the agent's series on `mt` and returns them by short name. */
export function createAgentMetrics(mt: MetricsRegistry) {
  const tl = ['task_id', 'framework_id'] as const;
  return {
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
    updates: mt.counter('mezzo_agent_status_updates_total', 'Status updates generated', ['state']),
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

/** The agent's metric series, as returned by {@link createAgentMetrics}. */
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;

/** Per-task gauges of a task, for removal once the task is gone. */
function taskGauges(m: AgentMetrics) {
  return [
    m.cpuUser,
    m.cpuSystem,
    m.memRss,
    m.memUsage,
    m.memLimit,
    m.periods,
    m.throttled,
    m.throttledSec,
    m.pids,
    m.oom,
  ];
}

/** Drops a task's per-task series. */
export function removeTaskMetrics(m: AgentMetrics, t: TaskRecord): void {
  const l = { task_id: t.task.task_id, framework_id: t.framework.id };
  for (const g of taskGauges(m)) g.remove(l);
}

/**
 * Reads every running task's cgroup, updates the gauges (and each record's `lastStats`,
 * kept so a finished task still reports its last numbers), returns the usage report.
 */
export async function collectUsage(
  tasks: Iterable<TaskRecord>,
  cgroups: Cgroups,
  updates: StatusUpdateManager,
  m: AgentMetrics,
): Promise<TaskUsage[]> {
  const out: TaskUsage[] = [];
  const phases = { launching: 0, running: 0, done: 0 };
  for (const t of tasks) {
    phases[t.phase]++;
    if (t.phase !== 'running') continue;
    let s: CgroupStats;
    try {
      s = await cgroups.stats(t.cgroup);
    } catch {
      continue;
    }
    t.lastStats = s;
    const l = { task_id: t.task.task_id, framework_id: t.framework.id };
    m.cpuUser.set(l, s.cpuUserSeconds);
    m.cpuSystem.set(l, s.cpuSystemSeconds);
    m.memRss.set(l, s.memRssBytes);
    m.memUsage.set(l, s.memUsageBytes);
    m.memLimit.set(l, t.limits.memBytes);
    m.periods.set(l, s.nrPeriods);
    m.throttled.set(l, s.nrThrottled);
    m.throttledSec.set(l, s.throttledSeconds);
    m.pids.set(l, s.pidsCurrent);
    m.oom.set(l, s.oomKills);
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
  for (const [phase, n] of Object.entries(phases)) m.tasks.set({ phase }, n);
  m.pending.set(updates.pendingCount());
  return out;
}
