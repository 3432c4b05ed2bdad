// Original file: proto/mezzo/v1/common.proto

import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from '../../mezzo/v1/Resource.js';
import type { CommandInfo as _mezzo_v1_CommandInfo, CommandInfo__Output as _mezzo_v1_CommandInfo__Output } from '../../mezzo/v1/CommandInfo.js';
import type { HealthCheck as _mezzo_v1_HealthCheck, HealthCheck__Output as _mezzo_v1_HealthCheck__Output } from '../../mezzo/v1/HealthCheck.js';

/**
 * Everything an agent needs to launch one task.
 */
export interface TaskInfo {
  'task_id'?: (string);
  'name'?: (string);
  'framework_id'?: (string);
  'agent_id'?: (string);
  'resources'?: (_mezzo_v1_Resource)[];
  'command'?: (_mezzo_v1_CommandInfo | null);
  'health_check'?: (_mezzo_v1_HealthCheck | null);
  'kill_grace_period_seconds'?: (number | string);
  'labels'?: ({[key: string]: string});
}

/**
 * Everything an agent needs to launch one task.
 */
export interface TaskInfo__Output {
  'task_id': (string);
  'name': (string);
  'framework_id': (string);
  'agent_id': (string);
  'resources': (_mezzo_v1_Resource__Output)[];
  'command': (_mezzo_v1_CommandInfo__Output | null);
  'health_check': (_mezzo_v1_HealthCheck__Output | null);
  'kill_grace_period_seconds': (number);
  'labels': ({[key: string]: string});
}
