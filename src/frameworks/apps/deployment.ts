/**
 * Rolling upgrades in Marathon's manner. An upgrade replaces the instances of the old
 * spec with instances of the new one while
 *   healthy(old) + healthy(new) >= ceil(instances × minimumHealthCapacity)   and
 *   running(old) + running(new) <= instances + floor(instances × maximumOverCapacity).
 * {@link planStep} is pure: given what runs now it says how many new instances to launch
 * and which old ones to kill; the app framework calls it again whenever an instance
 * changes state, so the upgrade advances exactly as health allows.
 */

/** Marathon's upgradeStrategy. */
export interface UpgradeStrategy {
  /** 0..1: share of `instances` that must stay healthy during the upgrade. */
  minimumHealthCapacity: number;
  /** 0..1: share of `instances` that may run on top of `instances`. */
  maximumOverCapacity: number;
}

/** One running instance. */
export interface InstanceView {
  id: string;
  healthy: boolean;
}

/** What runs now. */
export interface DeploymentView {
  instances: number;
  old: readonly InstanceView[];
  /** New-spec instances running (healthy or not yet). */
  current: readonly InstanceView[];
  /** New-spec instances launched but not running yet. */
  staging: number;
}

/** The next moves. */
export interface DeploymentStep {
  launch: number;
  kill: string[];
  done: boolean;
  /** Bounds in force, for status. */
  minHealthy: number;
  maxTotal: number;
}

/** Plans the next step of an upgrade (or of a plain scale when `old` is empty). */
export function planStep(strategy: UpgradeStrategy, view: DeploymentView): DeploymentStep {
  const n = view.instances;
  const minHealthy = Math.ceil(n * strategy.minimumHealthCapacity);
  // With no over-capacity and full health required nothing could ever move; Marathon
  // resolves it the same way, by allowing one instance over.
  const over = Math.floor(n * strategy.maximumOverCapacity);
  const maxTotal = n + (over === 0 && minHealthy >= n && view.old.length > 0 ? 1 : over);

  const newCount = view.current.length + view.staging;
  const healthyNew = view.current.filter((i) => i.healthy).length;
  const oldHealthy = view.old.filter((i) => i.healthy);
  const oldUnhealthy = view.old.filter((i) => !i.healthy);

  // Unhealthy old instances never count toward health: they go first. Healthy old ones
  // go while the healthy count stays at or above the minimum.
  const kill: string[] = oldUnhealthy.map((i) => i.id);
  let healthy = oldHealthy.length + healthyNew;
  let oldLeft = oldHealthy.length;
  for (const inst of oldHealthy) {
    if (healthy - 1 < minHealthy) break;
    kill.push(inst.id);
    healthy--;
    oldLeft--;
  }
  const total = oldLeft + newCount;
  const launch = Math.max(0, Math.min(n - newCount, maxTotal - total));
  // Scale-down of the new spec (instances reduced): kill surplus new instances,
  // unhealthy ones first.
  if (newCount > n && view.old.length === 0) {
    const surplus = [...view.current].sort((a, b) => Number(a.healthy) - Number(b.healthy));
    for (const inst of surplus.slice(0, newCount - n)) kill.push(inst.id);
  }
  const done = view.old.length === 0 && healthyNew >= n && newCount === n;
  return { launch, kill, done, minHealthy, maxTotal };
}

/** Marathon's restart backoff: backoffSeconds × factor^(failures-1), capped. */
export function launchDelaySeconds(
  failures: number,
  backoffSeconds: number,
  backoffFactor: number,
  maxLaunchDelaySeconds: number,
): number {
  if (failures <= 0) return 0;
  return Math.min(maxLaunchDelaySeconds, backoffSeconds * backoffFactor ** (failures - 1));
}
