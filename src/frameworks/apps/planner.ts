/**
 * What one app needs next, decided from what runs now: how many instances of the
 * current spec to launch and from when (restart backoff), which instances to kill
 * (surplus on scale-down, old ones during a rolling upgrade, everything on delete,
 * instances unreachable past the unreachable strategy's expunge time), and the counts its
 * status reports. An unreachable instance still holds its place until the strategy's
 * inactive time; then a replacement is launched. Pure: time comes in as `now`.
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
  /** Marathon's unreachableStrategy, in ms (default 300 s and 600 s). */
  unreachable?: { inactiveAfterMs: number; expungeAfterMs: number };
  now: number;
}

/** Counts for status. */
export interface InstanceCounts {
  running: number;
  healthy: number;
  staged: number;
  /** Instances whose agent is out of touch. */
  unreachable: number;
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

const DEFAULT_UNREACHABLE = { inactiveAfterMs: 300_000, expungeAfterMs: 600_000 };

/** How long the instance has been out of touch at `now` (ms), or -1 when it is not. */
function awayFor(i: Instance, now: number): number {
  return i.state === 'TASK_UNREACHABLE' && i.unreachableSince !== undefined
    ? now - i.unreachableSince
    : -1;
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

/** What an app's instances count as, for status. */
export function instanceCounts(
  live: readonly Instance[],
  hasHealthChecks: boolean,
  now: number,
): InstanceCounts {
  return {
    running: live.filter((i) => i.state === 'TASK_RUNNING').length,
    healthy: live.filter((i) => isHealthy(i, hasHealthChecks)).length,
    staged: live.filter(isStaged).length,
    unreachable: live.filter((i) => awayFor(i, now) >= 0).length,
  };
}

/** Plans one app. */
export function planApp(input: AppPlanInput): AppPlan {
  const { live, version, hasHealthChecks: checks, now } = input;
  const strategy = input.unreachable ?? DEFAULT_UNREACHABLE;
  const counts = instanceCounts(live, checks, now);
  const alive = live.filter((i) => !isKilling(i));
  // Out of touch past the inactive time: replaced; past the expunge time: killed too.
  const active = alive.filter((i) => awayFor(i, now) < strategy.inactiveAfterMs);
  const expunge = alive
    .filter((i) => awayFor(i, now) >= strategy.expungeAfterMs)
    .map((i) => i.taskId);
  const oldLive = live.filter((i) => i.version !== version).length;
  const again = stuckKills(live, input.killGraceSeconds, now);
  if (input.deleting) {
    return {
      launch: 0,
      notBefore: now,
      kill: [...alive.map((i) => i.taskId), ...again],
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
    notBefore: nextLaunchAt(input.backoff, input.policy, now),
    kill: [...kill, ...expunge, ...again],
    counts,
    oldLive,
    converged: oldLive === 0 && live.length === n && healthyCurrent === n,
    minHealthy,
  };
}
