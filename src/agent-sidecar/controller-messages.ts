/**
 * What the controller asks of the agent: one handler per ControllerMessage payload. The
 * work itself is started in the background (tracked, so stop() waits for it) because the
 * stream's data handler must not block on a launch or a kill. A message that lacks what
 * its payload needs (a task without an ID, an acknowledgement without a uuid) is logged,
 * counted in `mezzo_agent_controller_messages_rejected_total` and otherwise ignored.
 */
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { AgentMessage } from '../gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../gen/mezzo/v1/ControllerMessage.js';
import type { FrameworkInfoLite__Output } from '../gen/mezzo/v1/FrameworkInfoLite.js';
import type { ReadFile__Output } from '../gen/mezzo/v1/ReadFile.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';
import type { TaskInfo__Output } from '../gen/mezzo/v1/TaskInfo.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { StatusUpdateManager } from './status-updates.js';
import type { TaskRecord } from './task-record.js';

/** The agent as the message handlers see it. */
export interface MessageTarget {
  /** The agent's tasks (only their IDs and frameworks are read here). */
  tasks: ReadonlyMap<string, Pick<TaskRecord, 'task' | 'framework'>>;
  updates: StatusUpdateManager;
  /** Where the count of unacknowledged updates is published. */
  m: { readonly pending: Pick<AgentMetrics['pending'], 'set'> };
  /** The agent's registry, for the rejected-messages counter. */
  metrics: MetricsRegistry;
  logger: Logger;
  /** Runs background work, logging its failure. */
  track(p: Promise<unknown>, what: string): void;
  /** Writes to the controller stream. */
  write(msg: AgentMessage): boolean;
  /** Launches a task. */
  launch(task: TaskInfo__Output, framework: FrameworkInfoLite__Output): Promise<void>;
  /** Kills a task (SIGTERM, SIGKILL after the grace period). */
  kill(
    taskId: string,
    frameworkId: string,
    graceSeconds: number | undefined,
    reason: StatusReason__Output,
    message: string,
  ): Promise<void>;
  /** Answers a read_file request. */
  readFile(req: ReadFile__Output): Promise<void>;
  /** Handles `registered`: persist the ID, adopt the heartbeat, resend pending updates. */
  onRegistered(id: string, heartbeatSeconds: number): Promise<void>;
  /** The controller granted these tasks' status writes (an agent that writes them). */
  granted?(taskIds: readonly string[]): void;
}

/**
 * Why `msg` cannot be acted on, or undefined when it can. (The decoder fills every field
 * with its default, so "missing" means empty here.)
 */
export function malformedReason(msg: ControllerMessage__Output): string | undefined {
  switch (msg.payload) {
    case 'launch_task': {
      const l = msg.launch_task;
      if (!l?.task || !l.framework) return 'launch_task without a task or a framework';
      if (!l.task.task_id) return 'launch_task whose task has no task_id';
      if (!l.framework.id) return 'launch_task whose framework has no id';
      return undefined;
    }
    case 'kill_task':
      return msg.kill_task?.task_id ? undefined : 'kill_task without a task_id';
    case 'acknowledgement': {
      const ack = msg.acknowledgement;
      if (!ack?.task_id) return 'acknowledgement without a task_id';
      return ack.uuid.length > 0 ? undefined : 'acknowledgement without a uuid';
    }
    case 'shutdown_framework':
      return msg.shutdown_framework?.framework_id
        ? undefined
        : 'shutdown_framework without a framework_id';
    case 'registered':
      return msg.registered ? undefined : 'registered without its payload';
    case 'read_file':
      // Answered even when odd: the reply carries the error, and the controller waits.
      return msg.read_file ? undefined : 'read_file without its payload';
    default:
      return undefined;
  }
}

/** Logs and counts a controller message the agent ignores as malformed. */
export function rejectControllerMessage(
  a: Pick<MessageTarget, 'logger' | 'metrics'>,
  payload: string,
  reason: string,
): void {
  a.logger.warn('ignored a malformed message from the controller', { payload, reason });
  a.metrics
    .counter(
      'mezzo_agent_controller_messages_rejected_total',
      'Messages from the controller ignored because they lack what their payload needs',
      ['payload'],
    )
    .inc({ payload });
}

/** Routes one controller message to the agent; unknown payloads are ignored. */
export function dispatchControllerMessage(msg: ControllerMessage__Output, a: MessageTarget): void {
  const malformed = malformedReason(msg);
  if (malformed) {
    rejectControllerMessage(a, msg.payload ?? 'none', malformed);
    return;
  }
  switch (msg.payload) {
    case 'registered':
      if (msg.registered)
        a.track(
          a.onRegistered(msg.registered.agent_id, msg.registered.heartbeat_interval_seconds),
          'onRegistered',
        );
      break;
    case 'launch_task':
      if (msg.launch_task?.task && msg.launch_task.framework) {
        a.track(a.launch(msg.launch_task.task, msg.launch_task.framework), 'launch');
      }
      break;
    case 'kill_task':
      if (msg.kill_task) {
        const k = msg.kill_task;
        a.track(
          a.kill(
            k.task_id,
            k.framework_id,
            k.grace_period_seconds ?? undefined,
            'REASON_UNSPECIFIED',
            'killed at the request of the framework',
          ),
          'kill',
        );
      }
      break;
    case 'acknowledgement':
      if (msg.acknowledgement) {
        const ack = msg.acknowledgement;
        a.track(
          a.updates
            .acknowledge(ack.task_id, Buffer.from(ack.uuid).toString('hex'))
            .then(() => a.m.pending.set(a.updates.pendingCount())),
          'acknowledgement',
        );
      }
      break;
    case 'ping':
      a.write({ pong: { nonce: msg.ping?.nonce ?? 0 } });
      break;
    case 'pong':
      break;
    case 'status_writes_granted':
      a.granted?.(msg.status_writes_granted?.task_ids ?? []);
      break;
    case 'read_file':
      if (msg.read_file) a.track(a.readFile(msg.read_file), 'readFile');
      break;
    case 'shutdown_framework':
      if (msg.shutdown_framework) {
        const fw = msg.shutdown_framework.framework_id;
        for (const t of a.tasks.values()) {
          if (t.framework.id === fw) {
            a.track(
              a.kill(
                t.task.task_id,
                fw,
                undefined,
                'REASON_FRAMEWORK_REMOVED',
                'framework removed',
              ),
              'kill',
            );
          }
        }
      }
      break;
    case 'shutdown':
      a.logger.warn('controller asked the agent to shut down; killing all tasks', {
        message: msg.shutdown?.message ?? '',
      });
      for (const t of a.tasks.values()) {
        a.track(
          a.kill(
            t.task.task_id,
            t.framework.id,
            undefined,
            'REASON_AGENT_REMOVED',
            'agent shut down',
          ),
          'kill',
        );
      }
      break;
    default:
      break;
  }
}

/**
 * The answer to a kill for a task the agent does not know: TASK_DROPPED, so the
 * controller stops waiting for it (real and simulated agents alike).
 */
export function unknownTaskDropped(
  taskId: string,
  frameworkId: string,
  agentId: string,
  nowMs: number,
): AgentMessage {
  return {
    status_update: {
      status: {
        task_id: taskId,
        framework_id: frameworkId,
        agent_id: agentId,
        state: 'TASK_DROPPED',
        reason: 'REASON_TASK_UNKNOWN',
        source: 'SOURCE_AGENT',
        message: 'the agent does not know this task',
        timestamp: nowMs / 1000,
      },
    },
  };
}
