/**
 * The apps framework's view of its instances: one entry per task that is not known to
 * have ended, built from launches, status updates and (after a restart) reconciliation.
 * Everything here is synchronous bookkeeping; planning reads it, I/O feeds it.
 */
import type { AgentFacts } from '../../sdk/constraints.js';
import type { TaskState__Output as TaskState } from '../../gen/mezzo/v1/TaskState.js';
import { parseTaskId } from './app-spec.js';

/** One instance (task) of an app. */
export interface Instance {
  taskId: string;
  /** The App's `namespace/name`. */
  app: string;
  /** The spec version it runs. */
  version: string;
  agentId: string;
  /** Where it runs, as constraints see it (unknown until learned from an offer or mirror). */
  agent: AgentFacts | undefined;
  state: TaskState;
  /** The latest health result; undefined until the first check reports. */
  healthy: boolean | undefined;
  launchedAt: number;
  runningSince: number | undefined;
  /** The framework asked for the kill: its end is not a failure. */
  killRequested: boolean;
  /** When it last asked (ms), to ask again if the kill seems lost. */
  killRequestedAt: number | undefined;
}

/** What a status update meant for an instance. */
export interface UpdateOutcome {
  instance: Instance;
  /** The instance has ended. */
  ended: boolean;
  /** It ended without the framework asking: counts toward the restart backoff. */
  failed: boolean;
}

/**
 * States after which a task will not run again for us. UNREACHABLE and UNKNOWN are not
 * terminal in Mesos, but Marathon replaces such instances; if one comes back, its update
 * re-adds it and the surplus is scaled down.
 */
const GONE: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNREACHABLE',
  'TASK_UNKNOWN',
]);

/** Whether an instance in this state is gone. */
export function isGone(state: TaskState): boolean {
  return GONE.has(state);
}

/** The instances of every app. */
export class InstanceTracker {
  private readonly byId = new Map<string, Instance>();

  /** Records a launch (before the controller has answered). */
  launched(
    inst: Omit<
      Instance,
      'state' | 'healthy' | 'runningSince' | 'killRequested' | 'killRequestedAt'
    >,
  ): void {
    this.byId.set(inst.taskId, {
      ...inst,
      state: 'TASK_STAGING',
      healthy: undefined,
      runningSince: undefined,
      killRequested: false,
      killRequestedAt: undefined,
    });
  }

  /** Forgets a launch that never reached the controller. */
  forget(taskId: string): void {
    this.byId.delete(taskId);
  }

  /** The instance with this task ID. */
  get(taskId: string): Instance | undefined {
    return this.byId.get(taskId);
  }

  /** Live instances of one app. */
  of(app: string): Instance[] {
    return [...this.byId.values()].filter((i) => i.app === app);
  }

  /** Every live instance. */
  all(): Instance[] {
    return [...this.byId.values()];
  }

  /** Marks that the framework asked for this instance's kill (at `now`). */
  markKilled(taskId: string, now: number): void {
    const inst = this.byId.get(taskId);
    if (!inst) return;
    inst.killRequested = true;
    inst.killRequestedAt = now;
  }

  /**
   * Applies a status update. Updates of tasks this framework did not launch as app
   * instances (their ID has another shape) are ignored; a live update of an unknown
   * instance (after a restart) adds it.
   */
  apply(
    s: {
      task_id: string;
      state: TaskState;
      agent_id: string;
      healthy?: boolean;
      timestamp?: number;
    },
    now: number,
    agent: AgentFacts | undefined,
  ): UpdateOutcome | undefined {
    const id = parseTaskId(s.task_id);
    if (!id) return undefined;
    let inst = this.byId.get(s.task_id);
    if (!inst) {
      if (isGone(s.state)) return undefined;
      inst = {
        taskId: s.task_id,
        app: `${id.namespace}/${id.name}`,
        version: id.version,
        agentId: s.agent_id,
        agent,
        state: s.state,
        healthy: undefined,
        launchedAt: now,
        runningSince: undefined,
        killRequested: false,
        killRequestedAt: undefined,
      };
      this.byId.set(s.task_id, inst);
    }
    inst.state = s.state;
    if (s.agent_id) inst.agentId = s.agent_id;
    inst.agent ??= agent;
    if (s.healthy !== undefined) inst.healthy = s.healthy;
    if (s.state === 'TASK_RUNNING') inst.runningSince ??= now;
    if (!isGone(s.state)) return { instance: inst, ended: false, failed: false };
    this.byId.delete(s.task_id);
    return { instance: inst, ended: true, failed: !inst.killRequested };
  }
}
