/**
 * What a soak run does: how long faults go on, how much work each framework brings, the
 * fault timing, and the limits the oracle holds the system to. Two presets: `short` for
 * `npm test` (about 150 tasks, about a minute of faults) and `long` for `npm run bench`
 * (at least 1,000 tasks).
 */

/** The kinds of fault the harness injects. */
export const FAULT_KINDS = [
  'controller_kill',
  'agent_kill',
  'task_kill',
  'framework_kill',
  'agent_partition',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** An App of the workload. */
export interface SoakApp {
  name: string;
  instances: number;
  /** Restart backoff; undefined keeps the apps framework's defaults (1 s, ×1.15, 300 s). */
  fastBackoff: boolean;
}

/** A soak run's settings. */
export interface SoakConfig {
  name: 'short' | 'long';
  seed: number;
  /** How long faults are injected. */
  chaosMs: number;
  /**
   * Faults go on past `chaosMs` while the batch job has tasks left to launch, up to this
   * (so that a run reaches its task count even when faults slow the launches down).
   */
  chaosMaxMs: number;
  /** The kinds injected (all by default; none makes a fault-free baseline run). */
  faultKinds: FaultKind[];
  /** Pause between two faults, drawn uniformly from this range. */
  faultGapMs: [number, number];
  /** How long a killed controller, agent or framework stays down before its restart. */
  downMs: [number, number];
  /** The controller's agent ping timeout (seconds); a partition outlasts it. */
  agentPingTimeoutS: number;
  /**
   * How long a partition (SIGSTOP … SIGCONT) lasts. The controller pings every 5 s and
   * marks an agent unreachable at the first ping tick after the timeout, so a partition
   * of timeout + 5 s + a margin is always noticed.
   */
  partitionMs: number;
  /** Tasks the batch framework launches in all, spread evenly over the chaos period. */
  batchTasks: number;
  /** At most this many batch tasks in flight. */
  batchConcurrency: number;
  apps: SoakApp[];
  /** Seconds between runs of the repeating schedules (ISO 8601 PTnS). */
  scheduleEverySeconds: number;
  /** How long the system may take to converge after the faults stop. */
  settleMs: number;
  /** The controller's RSS must stay below this. */
  rssCeilingMiB: number;
  /** The agent's resources. */
  agentResources: string;
}

/** The bounded run in `npm test`: about 150 tasks, ≤ 90 s on two cores. */
export function shortConfig(seed = 12): SoakConfig {
  return {
    name: 'short',
    seed,
    chaosMs: 45_000,
    chaosMaxMs: 45_000,
    faultKinds: [...FAULT_KINDS],
    faultGapMs: [1_500, 3_500],
    downMs: [300, 1_500],
    agentPingTimeoutS: 8,
    partitionMs: (8 + 5 + 1) * 1000,
    batchTasks: 100,
    batchConcurrency: 8,
    apps: [
      { name: 'web', instances: 3, fastBackoff: true },
      { name: 'api', instances: 2, fastBackoff: false },
      { name: 'doomed', instances: 2, fastBackoff: true },
    ],
    scheduleEverySeconds: 5,
    settleMs: 30_000,
    rssCeilingMiB: 400,
    agentResources: 'cpus:8;mem:8192;ports:[31000-32000]',
  };
}

/** The benchmark: at least 1,000 tasks over five minutes of faults. */
export function longConfig(seed = 12): SoakConfig {
  return {
    ...shortConfig(seed),
    name: 'long',
    chaosMs: 300_000,
    chaosMaxMs: 600_000,
    batchTasks: 1000,
    batchConcurrency: 24,
    apps: [
      { name: 'web', instances: 4, fastBackoff: true },
      { name: 'api', instances: 3, fastBackoff: false },
      { name: 'cache', instances: 3, fastBackoff: true },
      { name: 'doomed', instances: 2, fastBackoff: true },
    ],
    settleMs: 60_000,
    rssCeilingMiB: 512,
  };
}
