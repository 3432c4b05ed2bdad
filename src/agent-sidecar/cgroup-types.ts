/** The cgroup interface task isolation is written against (v1 and v2 implement it). */

/** Limits applied to one task cgroup (see cgroup-limits.ts: every one is set). */
export interface CgroupLimits {
  /** CPU cores, > 0: the CFS quota is cpus × period, at least 1 ms. */
  cpus: number;
  /** Hard memory limit in bytes, > 0. */
  memBytes: number;
  /** pids.max; 0 only when the operator turned the pids limit off (`--pids-limit 0`). */
  pids: number;
  /** CFS period, microseconds. */
  cfsPeriodUs: number;
}

/** A cgroup's accounting, in base units. */
export interface CgroupStats {
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpuUsageSeconds: number;
  memUsageBytes: number;
  memRssBytes: number;
  memLimitBytes: number;
  nrPeriods: number;
  nrThrottled: number;
  throttledSeconds: number;
  pidsCurrent: number;
  /** Number of OOM kills inside the cgroup. */
  oomKills: number;
}

/** Accounting of a task never sampled while it ran. */
export const NO_STATS: CgroupStats = {
  cpuUserSeconds: 0,
  cpuSystemSeconds: 0,
  cpuUsageSeconds: 0,
  memUsageBytes: 0,
  memRssBytes: 0,
  memLimitBytes: 0,
  nrPeriods: 0,
  nrThrottled: 0,
  throttledSeconds: 0,
  pidsCurrent: 0,
  oomKills: 0,
};

/** What a task's exit is judged by: whether it was OOM-killed, and at which limit. */
export type ExitStats = Pick<CgroupStats, 'oomKills' | 'memLimitBytes'>;

/** The operations the containerizer needs. */
export interface Cgroups {
  readonly version: 1 | 2;
  /** Creates (or re-uses) the cgroup `name` under the root and applies `limits`. */
  create(name: string, limits: CgroupLimits): Promise<void>;
  /** The `cgroup.procs` files a process writes its pid to in order to join. */
  procsFiles(name: string): string[];
  /**
   * The `cgroup.procs` files of the roots of the hierarchies a task has no cgroup of its
   * own in (v1: controllers other than cpu, cpuacct, memory and pids, and a hybrid
   * machine's unified tree). A task joins them to leave the agent's cgroups there: a
   * container runtime or kubelet that stops the agent's container kills whatever is
   * still in them (runc signals every process of the container's devices cgroup).
   */
  leaveFiles(): string[];
  /** Whether the cgroup exists (after a restart). */
  exists(name: string): Promise<boolean>;
  stats(name: string): Promise<CgroupStats>;
  /** The two figures a task's terminal update needs: 2 files read, not all of stats(). */
  exitStats(name: string): Promise<ExitStats>;
  /** Pids currently in the cgroup. */
  pids(name: string): Promise<number[]>;
  /** SIGKILLs whatever is left in the cgroup and removes it. */
  destroy(name: string): Promise<void>;
  /** Removes the (empty) root cgroup; used by tests. */
  destroyRoot(): Promise<void>;
}
