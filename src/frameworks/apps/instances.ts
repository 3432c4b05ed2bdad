/**
 * The apps framework's view of its instances: one entry per task that is not known to
 * have ended, built from launches, status updates and (after a restart) reconciliation.
 * Everything here is synchronous bookkeeping; planning reads it, I/O feeds it.
 *
 * An outage is not a failure. Which ends count toward the restart backoff follows
 * Marathon (its rate limiter counts Dropped, Error, Failed, Gone and Finished): FAILED,
 * ERROR, DROPPED, GONE, GONE_BY_OPERATOR, FINISHED, and TASK_LOST unless its reason says
 * the agent is only out of touch — plus a KILLED the framework did not ask for (the agent
 * killing an unhealthy instance). TASK_UNREACHABLE (and TASK_LOST for a disconnected or
 * removed agent, or from reconciliation) keeps the instance, unreachable, until it comes
 * back or the app's unreachableStrategy replaces it; TASK_UNKNOWN forgets it without
 * blame (the controller cannot say what became of it).
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
  /** Since when (ms) its agent is out of touch; undefined while reachable. */
  unreachableSince: number | undefined;
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

/** Reasons of a TASK_LOST that mean "out of touch", as Marathon maps them to Unreachable. */
const OUT_OF_TOUCH: ReadonlySet<string> = new Set([
  'REASON_RECONCILIATION',
  'REASON_AGENT_DISCONNECTED',
  'REASON_AGENT_REMOVED',
]);

/** Whether an update says the instance's agent is out of touch (it may still run). */
export function isUnreachable(state: TaskState, reason?: string): boolean {
  return state === 'TASK_UNREACHABLE' || (state === 'TASK_LOST' && OUT_OF_TOUCH.has(reason ?? ''));
}

/**
 * States after which a task will not run again for us (TASK_LOST only when its reason
 * is not {@link isUnreachable}). UNKNOWN is not terminal in Mesos, but the controller has
 * no record of the task: Marathon expunges such instances; if one comes back, its update
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
  'TASK_UNKNOWN',
]);

/** Whether an instance in this state (with this reason) is gone. */
export function isGone(state: TaskState, reason?: string): boolean {
  return GONE.has(state) && !isUnreachable(state, reason);
}

/** The instances of every app. */
export class InstanceTracker {
  private readonly byId = new Map<string, Instance>();

  /** Records a launch (before the controller has answered). */
  launched(
    inst: Omit<
      Instance,
      | 'state'
      | 'healthy'
      | 'runningSince'
      | 'killRequested'
      | 'killRequestedAt'
      | 'unreachableSince'
    >,
  ): void {
    this.byId.set(inst.taskId, {
      ...inst,
      state: 'TASK_STAGING',
      healthy: undefined,
      runningSince: undefined,
      killRequested: false,
      killRequestedAt: undefined,
      unreachableSince: undefined,
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
      reason?: string;
      healthy?: boolean;
      timestamp?: number;
    },
    now: number,
    agent: AgentFacts | undefined,
  ): UpdateOutcome | undefined {
    const id = parseTaskId(s.task_id);
    if (!id) return undefined;
    const gone = isGone(s.state, s.reason);
    const away = isUnreachable(s.state, s.reason);
    let inst = this.byId.get(s.task_id);
    if (!inst) {
      if (gone) return undefined;
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
        unreachableSince: undefined,
      };
      this.byId.set(s.task_id, inst);
    }
    // Out of touch: one state for "unreachable", whichever update said it.
    inst.state = away ? 'TASK_UNREACHABLE' : s.state;
    if (s.agent_id) inst.agentId = s.agent_id;
    inst.agent ??= agent;
    if (away) {
      inst.unreachableSince ??= now;
      // Its last health result says nothing about it now.
      inst.healthy = undefined;
    } else {
      inst.unreachableSince = undefined;
      if (s.healthy !== undefined) inst.healthy = s.healthy;
    }
    if (s.state === 'TASK_RUNNING') inst.runningSince ??= now;
    if (!gone) return { instance: inst, ended: false, failed: false };
    this.byId.delete(s.task_id);
    // No record anywhere is not a failure of the app (Marathon's Unknown is not counted).
    const blameless = s.state === 'TASK_UNKNOWN';
    return { instance: inst, ended: true, failed: !inst.killRequested && !blameless };
  }
}
