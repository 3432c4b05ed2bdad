// Original file: proto/mezzo/v1/common.proto

import type { TaskState as _mezzo_v1_TaskState, TaskState__Output as _mezzo_v1_TaskState__Output } from '../../mezzo/v1/TaskState.js';
import type { StatusSource as _mezzo_v1_StatusSource, StatusSource__Output as _mezzo_v1_StatusSource__Output } from '../../mezzo/v1/StatusSource.js';
import type { StatusReason as _mezzo_v1_StatusReason, StatusReason__Output as _mezzo_v1_StatusReason__Output } from '../../mezzo/v1/StatusReason.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One state change of one task. Acknowledged by uuid.
 */
export interface TaskStatus {
  'task_id'?: (string);
  'state'?: (_mezzo_v1_TaskState);
  'message'?: (string);
  'source'?: (_mezzo_v1_StatusSource);
  'reason'?: (_mezzo_v1_StatusReason);
  'agent_id'?: (string);
  'framework_id'?: (string);
  /**
   * Seconds since the epoch when the update was generated.
   */
  'timestamp'?: (number | string);
  /**
   * Empty for updates that need no acknowledgement (e.g. reconciliation answers).
   */
  'uuid'?: (Buffer | Uint8Array | string);
  'healthy'?: (boolean);
  'exit_code'?: (number);
  /**
   * Monotonic per-task sequence number assigned by the agent, starting at 1.
   */
  'sequence'?: (number | string | Long);
  'labels'?: ({[key: string]: string});
  /**
   * Set when healthy/unhealthy is known.
   */
  'health'?: "healthy";
  /**
   * Exit code of the task's command for terminal states caused by its exit.
   */
  'exit'?: "exit_code";
}

/**
 * One state change of one task. Acknowledged by uuid.
 */
export interface TaskStatus__Output {
  'task_id': (string);
  'state': (_mezzo_v1_TaskState__Output);
  'message': (string);
  'source': (_mezzo_v1_StatusSource__Output);
  'reason': (_mezzo_v1_StatusReason__Output);
  'agent_id': (string);
  'framework_id': (string);
  /**
   * Seconds since the epoch when the update was generated.
   */
  'timestamp': (number);
  /**
   * Empty for updates that need no acknowledgement (e.g. reconciliation answers).
   */
  'uuid': (Buffer);
  'healthy'?: (boolean);
  'exit_code'?: (number);
  /**
   * Monotonic per-task sequence number assigned by the agent, starting at 1.
   */
  'sequence': (number);
  'labels': ({[key: string]: string});
  /**
   * Set when healthy/unhealthy is known.
   */
  'health'?: "healthy";
  /**
   * Exit code of the task's command for terminal states caused by its exit.
   */
  'exit'?: "exit_code";
}
