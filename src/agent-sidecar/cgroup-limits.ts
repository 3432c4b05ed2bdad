/**
 * The limits an agent puts on a task's cgroup, derived from the task's resources and the
 * agent's settings — or the reason it cannot: a task whose CPU quota or memory limit
 * would not be set is refused, never run unlimited.
 *
 * Like Mesos' cgroups isolators, tiny amounts are rounded up to the smallest limit that
 * works rather than dropped: the CFS quota to the kernel's minimum of 1 ms per period (so
 * 0.0001 cpus run at 1 ms per 100 ms, i.e. 0.01 cpus), the memory limit to 4 MiB (a
 * shell and a small command fit; Mesos rounds up to 32 MB).
 */
import { InvariantError } from '../shared/errors.js';
import type { CgroupLimits } from './cgroup-types.js';

/** The smallest CFS quota the kernel accepts, in microseconds (1 ms). */
export const MIN_CFS_QUOTA_US = 1000;
/** The smallest memory limit the agent sets, in bytes (4 MiB). */
export const MIN_MEMORY_BYTES = 4 * 1048576;

/** The limits to apply, or why the task cannot be limited. */
export type LimitsDecision =
  | { readonly ok: true; readonly limits: CgroupLimits }
  | { readonly ok: false; readonly message: string };

/**
 * Decides a task's cgroup limits from its `cpus` and memory (bytes) and the agent's
 * pids limit and CFS period.
 */
export function enforceableLimits(
  task: { cpus: number; memBytes: number },
  agent: { pidsLimit: number; cfsPeriodUs: number },
): LimitsDecision {
  const { cpus, memBytes } = task;
  if (!Number.isFinite(cpus) || cpus <= 0) {
    return {
      ok: false,
      message: `the task's cpus (${String(cpus)}) give no CPU quota to enforce; it needs cpus > 0`,
    };
  }
  if (!Number.isSafeInteger(Math.round(cpus * agent.cfsPeriodUs))) {
    return { ok: false, message: `the task's cpus (${String(cpus)}) are beyond any CPU quota` };
  }
  if (!Number.isFinite(memBytes) || memBytes <= 0) {
    return {
      ok: false,
      message: `the task's mem (${String(memBytes / 1048576)} MiB) gives no memory limit to enforce; it needs mem > 0`,
    };
  }
  if (!Number.isSafeInteger(memBytes)) {
    return {
      ok: false,
      message: `the task's mem (${String(memBytes / 1048576)} MiB) is beyond any memory limit`,
    };
  }
  return {
    ok: true,
    limits: {
      cpus,
      memBytes: Math.max(MIN_MEMORY_BYTES, memBytes),
      pids: agent.pidsLimit,
      cfsPeriodUs: agent.cfsPeriodUs,
    },
  };
}

/** The CFS quota for `limits`: cpus × period, at least {@link MIN_CFS_QUOTA_US}. */
export function cfsQuotaUs(limits: CgroupLimits): number {
  return Math.max(MIN_CFS_QUOTA_US, Math.round(limits.cpus * limits.cfsPeriodUs));
}

/** cpu.shares for `limits` (1024 per cpu, at least the kernel's minimum of 2). */
export function cpuShares(limits: CgroupLimits): number {
  return Math.max(2, Math.round(limits.cpus * 1024));
}

/**
 * Checks that `limits` set a CPU quota and a memory limit (the pids limit may be 0 only
 * as the operator's `--pids-limit 0`).
 * @throws InvariantError when they do not: callers decide limits with enforceableLimits
 */
export function assertEnforceable(limits: CgroupLimits): void {
  const bad =
    !(limits.cpus > 0) ||
    !Number.isFinite(limits.cpus) ||
    !(limits.memBytes > 0) ||
    !Number.isSafeInteger(limits.memBytes) ||
    !(limits.cfsPeriodUs > 0) ||
    !(limits.pids >= 0);
  if (bad) {
    throw new InvariantError('cgroup limits would leave a task unlimited', { ...limits });
  }
}
