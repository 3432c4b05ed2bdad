/**
 * What one app needs next, decided from what runs now: how many instances of the
 * current spec to launch and from when (restart backoff), which instances to kill
 * (surplus on scale-down, old ones during a rolling upgrade, everything on delete), and
 * the counts its status reports. Pure: time comes in as `now`, nothing is performed.
 */
import { launchDelaySeconds, planStep, type UpgradeStrategy } from './deployment.js';
import type { BackoffPolicy } from './app-spec.js';
import type { Instance } from './instances.js';

/** Consecutive failures of an app's instances since the backoff was last reset. */
export interface BackoffState {
  failures: number;
  /** When the latest one ended (ms). */
  lastFailureAt: number | undefined;
}

/**
 * Without health checks an instance proves itself by running this long; then the
 * backoff resets. (With health checks, passing one resets it.)
 */
export const RESET_BACKOFF_AFTER_MS = 10_000;

/**
 * A kill the framework asked for that has not ended the instance this long after the
 * kill grace period is asked again (the request or its answer may have been lost).
 */
export const KILL_RETRY_AFTER_MS = 15_000;

/** Everything {@link planApp} reads. */
export interface AppPlanInput {
  instances: number;
  version: string;
  strategy: UpgradeStrategy;
  hasHealthChecks: boolean;
  deleting: boolean;
  /** The app's killGracePeriodSeconds. */
  killGraceSeconds: number;
  /** The app's live instances (every version, including those being killed). */
  live: readonly Instance[];
  backoff: BackoffState;
  policy: BackoffPolicy;
  now: number;
}

/** Counts for status. */
export interface InstanceCounts {
  running: number;
  healthy: number;
  staged: number;
}

/** The plan. */
export interface AppPlan {
  /** Instances of the current version to launch. */
  launch: number;
  /** Not before this time (ms): the restart backoff. */
  notBefore: number;
  /** Task IDs to kill now. */
  kill: string[];
  counts: InstanceCounts;
  /** Instances of other versions still live (a deployment is rolling). */
  oldLive: number;
  /** Every live instance runs the current version, is healthy, and there are `instances`. */
  converged: boolean;
  /** The health floor of the upgrade strategy, for status. */
  minHealthy: number;
}

/** Running and, when the app has health checks, passing them. */
export function isHealthy(i: Instance, hasHealthChecks: boolean): boolean {
  return i.state === 'TASK_RUNNING' && (!hasHealthChecks || i.healthy === true);
}

function isStaged(i: Instance): boolean {
  return i.state === 'TASK_STAGING' || i.state === 'TASK_STARTING';
}

function isKilling(i: Instance): boolean {
  return i.killRequested || i.state === 'TASK_KILLING';
}

/** When the next launch may happen: the last failure plus Marathon's backoff delay. */
export function nextLaunchAt(b: BackoffState, policy: BackoffPolicy, now: number): number {
  if (b.failures === 0 || b.lastFailureAt === undefined) return now;
  const delay = launchDelaySeconds(
    b.failures,
    policy.backoffSeconds,
    policy.backoffFactor,
    policy.maxLaunchDelaySeconds,
  );
  return Math.max(now, b.lastFailureAt + delay * 1000);
}

/**
 * Whether an instance of the current version has proven itself, so that the backoff
 * starts over: healthy by its checks, or running for {@link RESET_BACKOFF_AFTER_MS}
 * when it has none.
 */
export function backoffShouldReset(
  live: readonly Instance[],
  version: string,
  hasHealthChecks: boolean,
  now: number,
): boolean {
  return live.some(
    (i) =>
      i.version === version &&
      i.state === 'TASK_RUNNING' &&
      (hasHealthChecks
        ? i.healthy === true
        : i.runningSince !== undefined && now - i.runningSince >= RESET_BACKOFF_AFTER_MS),
  );
}

/**
 * Which instances go on scale-down, Marathon's youngest-first with the useless ones
 * before: not yet running, then unhealthy, then the most recently launched.
 */
export function pickForScaleDown(
  candidates: readonly Instance[],
  surplus: number,
  hasHealthChecks: boolean,
): string[] {
  const rank = (i: Instance) => (isStaged(i) ? 0 : isHealthy(i, hasHealthChecks) ? 2 : 1);
  return [...candidates]
    .sort((a, b) => rank(a) - rank(b) || b.launchedAt - a.launchedAt)
    .slice(0, Math.max(0, surplus))
    .map((i) => i.taskId);
}

/** Instances whose requested kill has not taken effect in time: ask again. */
export function stuckKills(
  live: readonly Instance[],
  killGraceSeconds: number,
  now: number,
): string[] {
  return live
    .filter(
      (i) =>
        i.killRequested &&
        i.killRequestedAt !== undefined &&
        now - i.killRequestedAt > killGraceSeconds * 1000 + KILL_RETRY_AFTER_MS,
    )
    .map((i) => i.taskId);
}

/** Plans one app. */
export function planApp(input: AppPlanInput): AppPlan {
  const { live, version, hasHealthChecks: checks } = input;
  const counts: InstanceCounts = {
    running: live.filter((i) => i.state === 'TASK_RUNNING').length,
    healthy: live.filter((i) => isHealthy(i, checks)).length,
    staged: live.filter(isStaged).length,
  };
  const active = live.filter((i) => !isKilling(i));
  const oldLive = live.filter((i) => i.version !== version).length;
  const again = stuckKills(live, input.killGraceSeconds, input.now);
  if (input.deleting) {
    return {
      launch: 0,
      notBefore: input.now,
      kill: [...active.map((i) => i.taskId), ...again],
      counts,
      oldLive,
      converged: live.length === 0,
      minHealthy: 0,
    };
  }
  const n = input.instances;
  const old = active.filter((i) => i.version !== version);
  const current = active.filter((i) => i.version === version);
  const currentRunning = current.filter((i) => !isStaged(i));
  const staging = current.length - currentRunning.length;
  const view = (list: readonly Instance[]) =>
    list.map((i) => ({ id: i.taskId, healthy: isHealthy(i, checks) }));

  let launch: number;
  let kill: string[];
  let minHealthy: number;
  if (old.length === 0 && current.length > n) {
    // A plain scale-down: no upgrade bounds apply.
    launch = 0;
    kill = pickForScaleDown(current, current.length - n, checks);
    minHealthy = 0;
  } else {
    const step = planStep(input.strategy, {
      instances: n,
      old: view(old),
      current: view(currentRunning),
      staging,
    });
    launch = step.launch;
    kill = step.kill;
    minHealthy = step.minHealthy;
  }
  const healthyCurrent = current.filter((i) => isHealthy(i, checks)).length;
  return {
    launch,
    notBefore: nextLaunchAt(input.backoff, input.policy, input.now),
    kill: [...kill, ...again],
    counts,
    oldLive,
    converged: oldLive === 0 && live.length === n && healthyCurrent === n,
    minHealthy,
  };
}
