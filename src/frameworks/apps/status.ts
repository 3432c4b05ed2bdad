/**
 * The App status the framework writes, computed from a plan and the app's runtime
 * bookkeeping — or, for a spec it cannot serve, from the instances alone with
 * Valid=False InvalidSpec naming the field. Pure and churn-free: the same inputs give the
 * same object (conditions keep their transition times), so the reconciler writes only on
 * a difference.
 */
import { setCondition, type Condition } from '../../kube/conditions.js';
import type { AppPlan, InstanceCounts } from './planner.js';
import type { Unplaced } from './placement.js';

/** An upgrade in progress. */
export interface DeploymentStatus {
  id: string;
  /** metadata.generation being replaced. */
  from: number;
  /** metadata.generation being rolled out. */
  to: number;
  fromVersion?: string;
  toVersion: string;
  startedAt: string;
}

/** The latest instance that ended without being asked to. */
export interface TaskFailure {
  taskId: string;
  state: string;
  message: string;
  at: string;
}

/** `.status` of an App. */
export interface AppStatus {
  instances: number;
  healthy: number;
  staged: number;
  unplaced: number;
  unplacedReason?: string;
  /** The spec version every instance ran when the app was last stable. */
  version?: string;
  deployment?: DeploymentStatus;
  lastTaskFailure?: TaskFailure;
  /** Launches wait for the restart backoff until then. */
  launchDelayedUntil?: string;
  observedGeneration: number;
  conditions: Condition[];
}

/** What {@link appStatus} reads besides the plan. */
export interface StatusInput {
  prev: Partial<AppStatus> | undefined;
  plan: AppPlan;
  desired: number;
  version: string;
  generation: number;
  unplaced: Unplaced | undefined;
  lastTaskFailure: TaskFailure | undefined;
  /** Set while launches wait for the backoff. */
  delayedUntil: number | undefined;
  failures: number;
  now: number;
}

/**
 * The deployment in force: none once the app converged; otherwise the one already
 * recorded when it rolls to the same version, or a new one from the stable version.
 */
export function nextDeployment(
  prev: Partial<AppStatus> | undefined,
  plan: AppPlan,
  version: string,
  generation: number,
  now: number,
): DeploymentStatus | undefined {
  if (plan.converged) return undefined;
  const stable = prev?.version;
  const rolling = plan.oldLive > 0 || (stable !== undefined && stable !== version);
  if (!rolling) return undefined;
  const current = prev?.deployment;
  if (current?.toVersion === version) return current;
  const fromVersion = current?.toVersion ?? stable;
  return {
    id: `gen${generation}-${version.slice(0, 6)}`,
    from: current?.to ?? prev?.observedGeneration ?? generation,
    to: generation,
    ...(fromVersion !== undefined ? { fromVersion } : {}),
    toVersion: version,
    startedAt: new Date(now).toISOString(),
  };
}

/** Computes the status. */
export function appStatus(s: StatusInput): AppStatus {
  const { plan, prev, now } = s;
  const deployment = nextDeployment(prev, plan, s.version, s.generation, now);
  const version = plan.converged ? s.version : prev?.version;
  let conditions = prev?.conditions ?? [];
  const set = (c: Omit<Condition, 'lastTransitionTime'>) => {
    conditions = setCondition(conditions, c, now).conditions;
  };
  // Valid appears once a spec was refused, and then stays to say it was fixed.
  if (conditions.some((c) => c.type === 'Valid')) {
    set({ type: 'Valid', status: 'True', reason: 'Valid', message: 'the spec can be served' });
  }
  const healthy = plan.counts.healthy;
  const away = plan.counts.unreachable;
  set({
    type: 'Available',
    status: healthy >= s.desired ? 'True' : 'False',
    reason: healthy >= s.desired ? 'AllHealthy' : 'NotEnoughHealthy',
    message: `${healthy} of ${s.desired} instances healthy${away > 0 ? `, ${away} unreachable` : ''}`,
  });
  const progressing = !plan.converged;
  set({
    type: 'Progressing',
    status: progressing ? 'True' : 'False',
    reason: deployment
      ? 'Deploying'
      : s.delayedUntil !== undefined
        ? 'BackingOff'
        : progressing
          ? 'Scaling'
          : 'Stable',
    message: deployment
      ? `rolling to ${deployment.toVersion}: at least ${plan.minHealthy} healthy`
      : s.delayedUntil !== undefined
        ? `launches delayed after ${s.failures} failures`
        : progressing
          ? `${plan.counts.running} of ${s.desired} running`
          : 'all instances run the current spec',
  });
  const unplaced = s.unplaced && s.unplaced.count > 0 ? s.unplaced : undefined;
  set({
    type: 'Placed',
    status: unplaced ? 'False' : 'True',
    reason: unplaced ? 'Unplaceable' : 'Placed',
    message: unplaced ? `${unplaced.count} cannot be placed: ${unplaced.reason}` : '',
  });
  return {
    instances: plan.counts.running,
    healthy,
    staged: plan.counts.staged,
    unplaced: unplaced?.count ?? 0,
    ...(unplaced ? { unplacedReason: unplaced.reason } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(deployment ? { deployment } : {}),
    ...(s.lastTaskFailure ? { lastTaskFailure: s.lastTaskFailure } : {}),
    ...(s.delayedUntil !== undefined
      ? { launchDelayedUntil: new Date(s.delayedUntil).toISOString() }
      : {}),
    observedGeneration: s.generation,
    conditions,
  };
}

/**
 * The status of an App whose spec cannot be served: what runs (left as it is: nothing
 * is launched or killed for it until the spec is fixed), and why, on Valid and
 * Progressing. Other fields keep their previous values.
 */
export function invalidStatus(
  prev: Partial<AppStatus> | undefined,
  counts: InstanceCounts,
  problem: string,
  generation: number,
  now: number,
): AppStatus {
  let conditions = prev?.conditions ?? [];
  const set = (c: Omit<Condition, 'lastTransitionTime'>) => {
    conditions = setCondition(conditions, c, now).conditions;
  };
  set({ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: problem });
  set({
    type: 'Progressing',
    status: 'False',
    reason: 'InvalidSpec',
    message: 'nothing is launched or killed until the spec is fixed',
  });
  return {
    ...prev,
    instances: counts.running,
    healthy: counts.healthy,
    staged: counts.staged,
    unplaced: prev?.unplaced ?? 0,
    observedGeneration: generation,
    conditions,
  };
}
