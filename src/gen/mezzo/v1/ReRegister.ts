// Original file: proto/mezzo/v1/agent.proto

import type { AgentInfo as _mezzo_v1_AgentInfo, AgentInfo__Output as _mezzo_v1_AgentInfo__Output } from '../../mezzo/v1/AgentInfo.js';
import type { TaskInfo as _mezzo_v1_TaskInfo, TaskInfo__Output as _mezzo_v1_TaskInfo__Output } from '../../mezzo/v1/TaskInfo.js';
import type { TaskStatus as _mezzo_v1_TaskStatus, TaskStatus__Output as _mezzo_v1_TaskStatus__Output } from '../../mezzo/v1/TaskStatus.js';

/**
 * Sent instead of Register by an agent that already has an ID (after a restart or a
 * controller failover), with every task it knows about.
 */
export interface ReRegister {
  'agent_info'?: (_mezzo_v1_AgentInfo | null);
  'tasks'?: (_mezzo_v1_TaskInfo)[];
  /**
   * The latest known state of each task in `tasks`, same order.
   */
  'latest_statuses'?: (_mezzo_v1_TaskStatus)[];
  'framework_ids'?: (string)[];
}

/**
 * Sent instead of Register by an agent that already has an ID (after a restart or a
 * controller failover), with every task it knows about.
 */
export interface ReRegister__Output {
  'agent_info': (_mezzo_v1_AgentInfo__Output | null);
  'tasks': (_mezzo_v1_TaskInfo__Output)[];
  /**
   * The latest known state of each task in `tasks`, same order.
   */
  'latest_statuses': (_mezzo_v1_TaskStatus__Output)[];
  'framework_ids': (string)[];
}
