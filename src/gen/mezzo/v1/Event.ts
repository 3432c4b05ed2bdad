// Original file: proto/mezzo/v1/scheduler.proto

import type { Offer as _mezzo_v1_Offer, Offer__Output as _mezzo_v1_Offer__Output } from '../../mezzo/v1/Offer.js';
import type { TaskStatus as _mezzo_v1_TaskStatus, TaskStatus__Output as _mezzo_v1_TaskStatus__Output } from '../../mezzo/v1/TaskStatus.js';
import type { Event as _mezzo_v1_Event, Event__Output as _mezzo_v1_Event__Output } from '../../mezzo/v1/Event.js';

export interface _mezzo_v1_Event_Batch {
  'events'?: (_mezzo_v1_Event)[];
}

export interface _mezzo_v1_Event_Batch__Output {
  'events': (_mezzo_v1_Event__Output)[];
}

export interface _mezzo_v1_Event_Error {
  'message'?: (string);
}

export interface _mezzo_v1_Event_Error__Output {
  'message': (string);
}

export interface _mezzo_v1_Event_Failure {
  'agent_id'?: (string);
  'executor_id'?: (string);
  'status'?: (number);
  '_status'?: "status";
}

export interface _mezzo_v1_Event_Failure__Output {
  'agent_id': (string);
  'executor_id': (string);
  'status'?: (number);
  '_status'?: "status";
}

export interface _mezzo_v1_Event_Message {
  'agent_id'?: (string);
  'executor_id'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface _mezzo_v1_Event_Message__Output {
  'agent_id': (string);
  'executor_id': (string);
  'data': (Buffer);
}

export interface _mezzo_v1_Event_Offers {
  'offers'?: (_mezzo_v1_Offer)[];
}

export interface _mezzo_v1_Event_Offers__Output {
  'offers': (_mezzo_v1_Offer__Output)[];
}

export interface _mezzo_v1_Event_Rescind {
  'offer_id'?: (string);
}

export interface _mezzo_v1_Event_Rescind__Output {
  'offer_id': (string);
}

export interface _mezzo_v1_Event_Subscribed {
  'framework_id'?: (string);
  'stream_id'?: (string);
  'heartbeat_interval_seconds'?: (number | string);
  /**
   * Where the leading controller serves, for schedulers that talk to a standby.
   */
  'leader_address'?: (string);
}

export interface _mezzo_v1_Event_Subscribed__Output {
  'framework_id': (string);
  'stream_id': (string);
  'heartbeat_interval_seconds': (number);
  /**
   * Where the leading controller serves, for schedulers that talk to a standby.
   */
  'leader_address': (string);
}

// Original file: proto/mezzo/v1/scheduler.proto

export const _mezzo_v1_Event_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  SUBSCRIBED: 'SUBSCRIBED',
  OFFERS: 'OFFERS',
  RESCIND: 'RESCIND',
  UPDATE: 'UPDATE',
  MESSAGE: 'MESSAGE',
  FAILURE: 'FAILURE',
  ERROR: 'ERROR',
  HEARTBEAT: 'HEARTBEAT',
  /**
   * Events the controller wrote to this stream during one turn of its event loop, sent
   * as one, in order (a grpc-js stream carries about one message per turn of its
   * writer's event loop). Only to a scheduler whose SubscribeRequest set
   * max_batch_bytes, and no larger. A batch never holds another batch.
   */
  BATCH: 'BATCH',
} as const;

export type _mezzo_v1_Event_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'SUBSCRIBED'
  | 1
  | 'OFFERS'
  | 2
  | 'RESCIND'
  | 3
  | 'UPDATE'
  | 4
  | 'MESSAGE'
  | 5
  | 'FAILURE'
  | 6
  | 'ERROR'
  | 7
  | 'HEARTBEAT'
  | 8
  /**
   * Events the controller wrote to this stream during one turn of its event loop, sent
   * as one, in order (a grpc-js stream carries about one message per turn of its
   * writer's event loop). Only to a scheduler whose SubscribeRequest set
   * max_batch_bytes, and no larger. A batch never holds another batch.
   */
  | 'BATCH'
  | 9

export type _mezzo_v1_Event_Type__Output = typeof _mezzo_v1_Event_Type[keyof typeof _mezzo_v1_Event_Type]

export interface _mezzo_v1_Event_Update {
  'status'?: (_mezzo_v1_TaskStatus | null);
}

export interface _mezzo_v1_Event_Update__Output {
  'status': (_mezzo_v1_TaskStatus__Output | null);
}

export interface Event {
  'type'?: (_mezzo_v1_Event_Type);
  'subscribed'?: (_mezzo_v1_Event_Subscribed | null);
  'offers'?: (_mezzo_v1_Event_Offers | null);
  'rescind'?: (_mezzo_v1_Event_Rescind | null);
  'update'?: (_mezzo_v1_Event_Update | null);
  'message'?: (_mezzo_v1_Event_Message | null);
  'failure'?: (_mezzo_v1_Event_Failure | null);
  'error'?: (_mezzo_v1_Event_Error | null);
  'batch'?: (_mezzo_v1_Event_Batch | null);
  'payload'?: "subscribed"|"offers"|"rescind"|"update"|"message"|"failure"|"error"|"batch";
}

export interface Event__Output {
  'type': (_mezzo_v1_Event_Type__Output);
  'subscribed'?: (_mezzo_v1_Event_Subscribed__Output | null);
  'offers'?: (_mezzo_v1_Event_Offers__Output | null);
  'rescind'?: (_mezzo_v1_Event_Rescind__Output | null);
  'update'?: (_mezzo_v1_Event_Update__Output | null);
  'message'?: (_mezzo_v1_Event_Message__Output | null);
  'failure'?: (_mezzo_v1_Event_Failure__Output | null);
  'error'?: (_mezzo_v1_Event_Error__Output | null);
  'batch'?: (_mezzo_v1_Event_Batch__Output | null);
  'payload'?: "subscribed"|"offers"|"rescind"|"update"|"message"|"failure"|"error"|"batch";
}
