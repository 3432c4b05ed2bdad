/**
 * The controller's in-memory records of frameworks, agents, tasks and offers. They are
 * rebuilt after a restart from framework resubscriptions and agent re-registrations, as
 * the Mesos master rebuilds its state after a failover.
 */
import type { Principal } from '../auth/types.js';
import type * as grpc from '@grpc/grpc-js';
import type { Resources } from '../allocator/index.js';
import type { Timer } from '../shared/clock.js';
import type { AgentLink } from './agent-link.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { FrameworkInfo__Output } from '../gen/mezzo/v1/FrameworkInfo.js';
import type { AgentInfo__Output } from '../gen/mezzo/v1/AgentInfo.js';
import type { SubscribeRequest__Output } from '../gen/mezzo/v1/SubscribeRequest.js';
import type { TaskInfo, TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus, TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskState__Output as TaskState } from '../gen/mezzo/v1/TaskState.js';

/** A framework's event stream. */
export type EventStream = grpc.ServerWritableStream<SubscribeRequest__Output, Event>;
/**
 * Where a framework's events go: its gRPC stream, or a stream of another wire (the Mesos
 * HTTP API's chunked response, src/compat/mesos/).
 */
export interface EventSink {
  write(event: Event): unknown;
  end(): void;
}
export type { AgentStream } from './agent-link.js';

/** A registered framework. */
export interface FrameworkRecord {
  id: string;
  info: FrameworkInfo__Output;
  roles: string[];
  streamId: string;
  stream: EventSink | undefined;
  connected: boolean;
  failoverTimer: Timer | undefined;
  heartbeatTimer: Timer | undefined;
  tasks: Set<string>;
  registeredAt: number;
  /** Start of the current run of declines without an accept (ms), for the OffersDeclined event. */
  declineStreakSince?: number;
  declineWarned?: boolean;
  /**
   * Who subscribed it (the authenticated caller): a later subscription with this
   * framework's ID must come from the same principal, and what the framework asks for
   * (roles, run-as users, kills) is authorized for this principal.
   */
  principal?: Principal;
}

/** A registered agent. */
export interface AgentRecord {
  id: string;
  info: AgentInfo__Output;
  total: Resources;
  stream: AgentLink | undefined;
  lastSeen: number;
  state: 'active' | 'unreachable';
  tasks: Set<string>;
  pingTimer: Timer | undefined;
  /**
   * Finished tasks the agent reported when it re-registered and this controller did not
   * know (an agent reports those with an update still to deliver): recorded when the
   * agent sends that update, right after, and answered from here by reconciliation
   * meanwhile. Cleared at the agent's next registration.
   */
  reportedDone?: Map<string, { info: TaskInfo__Output; status: TaskStatus__Output }>;
  /**
   * A new agent that registered on this agent's node while this one was still connected:
   * it replaces this one if this one reaches its ping timeout (agent-replacement.ts).
   * Cleared when this agent re-registers.
   */
  replacedBy?: string;
}

/** A task the controller knows of. */
export interface TaskRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  info: TaskInfo;
  resources: Resources;
  role: string;
  state: TaskState;
  /** The latest status (as forwarded). */
  status: TaskStatus | undefined;
  /** Whether the task's resources went back to the allocator. */
  recovered: boolean;
  /**
   * The agent's latest update (it carries a uuid) that the framework has not acknowledged
   * yet: the agent holds it too, and resends it until the acknowledgement comes through
   * the controller; a framework that resubscribes gets it at once.
   */
  unacked?: TaskStatus;
  /** The latest update made by the controller itself that the framework was not sent. */
  unsent?: TaskStatus;
  /**
   * Rebuilt from the store's Task object after a controller restart, and not yet
   * confirmed by its agent: the state is the one last recorded, maybe stale.
   */
  fromStore?: boolean;
  /**
   * Learned from its agent's report, neither launched by this controller nor rebuilt
   * from the store: the controller that launched it may have died before its Task
   * object was first written, so the store mirror writes it if it is missing.
   */
  adopted?: boolean;
  /**
   * Killed because another task of its task group failed or was killed
   * (src/controller/task-group.ts): its own end does not start that again.
   */
  killedWithGroup?: boolean;
  /** Bumped on every change the store mirror is told about. */
  version?: number;
  /** The version the store mirror last wrote. */
  mirrored?: number;
  /**
   * A framework's acknowledgement held back from the agent until the store has the state
   * it acknowledges: once the agent forgets an update, a restarted controller can only
   * learn it from the store.
   */
  ackAfterWrite?: Buffer;
}

/** An outstanding offer. */
export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
  timer: Timer;
}

export { TASK_OBJECT_LABEL } from '../shared/task-labels.js';

/**
 * Annotation naming the agent a task was launched on, on the Task object the mirror makes
 * for a task launched through an offer. The object is made before its first status is
 * written: a controller that dies between the two leaves an object with no state, and
 * this is how the next one knows where that launch went (recovery.ts).
 */
export const LAUNCHED_ON_ANNOTATION = 'mezzo.dev/launched-on';

/** States after which a task never changes again. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Whether a state is terminal. */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
