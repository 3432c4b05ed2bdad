/**
 * The ways the oracle can find the system wrong, and which of them can still heal while
 * the system settles (a stale status converges) and which cannot (a task that ran twice
 * stays run twice).
 */

/** What the oracle found wrong. */
export type ViolationKind =
  /** A task started (marker, agent checkpoint or live process) that neither the controller nor the store knows. */
  | 'unknown-to-controller'
  /** The agent recorded a final state, or the framework was told one; Mezzo still reports a non-final one. */
  | 'final-state-lost'
  /** Two different final states for one task (agent, controller, store or framework). */
  | 'conflicting-final'
  /** Neither final nor running after the system settled (STAGING, UNREACHABLE, UNKNOWN…). */
  | 'stuck'
  /** Reported TASK_LOST: the system lost track of it. */
  | 'reported-lost'
  /** Reported RUNNING with no process alive in its cgroup. */
  | 'ghost-running'
  /** A process alive in a task cgroup whose task is final or unknown. */
  | 'unowned-process'
  /** The store's Task object says another state than the controller. */
  | 'store-diverged'
  /** ACCEPT answered OK, yet no component ever heard of the task. */
  | 'launch-vanished'
  /** Two starts of one task ID with different pids. */
  | 'ran-twice'
  /** A final state that never reached the task's framework. */
  | 'not-delivered'
  /** A Schedule's success + error count differs from its runs' final tasks. */
  | 'schedule-count'
  /** An App's instance count differs from the processes really running. */
  | 'app-instances'
  /** A deleted App left processes or its object behind. */
  | 'deleted-app-remains'
  /** A process exited without the harness killing it. */
  | 'process-crashed'
  /** The controller's RSS went over the ceiling. */
  | 'memory'
  /** The controller did not answer when the oracle asked. */
  | 'controller-unavailable';

/** One finding, with its evidence. */
export interface Violation {
  kind: ViolationKind;
  task?: string;
  detail: string;
  /** Faults injected while the task lived (seconds since the run started). */
  faults?: string[];
}

/** Kinds that settling cannot repair: once seen, waiting longer is pointless. */
export const PERMANENT: ReadonlySet<ViolationKind> = new Set<ViolationKind>([
  'ran-twice',
  'conflicting-final',
  'process-crashed',
  'memory',
]);

/** Kinds that count a task as lost. */
export const LOSSES: ReadonlySet<ViolationKind> = new Set<ViolationKind>([
  'unknown-to-controller',
  'final-state-lost',
  'stuck',
  'reported-lost',
  'ghost-running',
  'launch-vanished',
]);
