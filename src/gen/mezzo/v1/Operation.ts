// Original file: proto/mezzo/v1/scheduler.proto

import type { TaskInfo as _mezzo_v1_TaskInfo, TaskInfo__Output as _mezzo_v1_TaskInfo__Output } from '../../mezzo/v1/TaskInfo.js';
import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from '../../mezzo/v1/Resource.js';

// Original file: proto/mezzo/v1/scheduler.proto

export const _mezzo_v1_Operation_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  LAUNCH: 'LAUNCH',
  RESERVE: 'RESERVE',
  UNRESERVE: 'UNRESERVE',
} as const;

export type _mezzo_v1_Operation_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'LAUNCH'
  | 1
  | 'RESERVE'
  | 2
  | 'UNRESERVE'
  | 3

export type _mezzo_v1_Operation_Type__Output = typeof _mezzo_v1_Operation_Type[keyof typeof _mezzo_v1_Operation_Type]

export interface Operation {
  'type'?: (_mezzo_v1_Operation_Type);
  /**
   * LAUNCH: the tasks to start; their resources must come from the accepted offers.
   */
  'tasks'?: (_mezzo_v1_TaskInfo)[];
  /**
   * RESERVE and UNRESERVE: the resources, carrying the reservation to add or remove.
   */
  'resources'?: (_mezzo_v1_Resource)[];
}

export interface Operation__Output {
  'type': (_mezzo_v1_Operation_Type__Output);
  /**
   * LAUNCH: the tasks to start; their resources must come from the accepted offers.
   */
  'tasks': (_mezzo_v1_TaskInfo__Output)[];
  /**
   * RESERVE and UNRESERVE: the resources, carrying the reservation to add or remove.
   */
  'resources': (_mezzo_v1_Resource__Output)[];
}
