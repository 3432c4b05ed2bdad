// Original file: proto/mezzo/v1/agent.proto

import type { ControllerMessage as _mezzo_v1_ControllerMessage, ControllerMessage__Output as _mezzo_v1_ControllerMessage__Output } from '../../mezzo/v1/ControllerMessage.js';

/**
 * Messages the controller wrote to one agent during one turn of its event loop, sent as
 * one, in order (a grpc-js stream carries about one message per turn of its writer's
 * event loop). Only to an agent whose AgentInfo set max_batch_bytes, and no larger. A
 * batch never holds another batch.
 */
export interface ControllerBatch {
  'messages'?: (_mezzo_v1_ControllerMessage)[];
}

/**
 * Messages the controller wrote to one agent during one turn of its event loop, sent as
 * one, in order (a grpc-js stream carries about one message per turn of its writer's
 * event loop). Only to an agent whose AgentInfo set max_batch_bytes, and no larger. A
 * batch never holds another batch.
 */
export interface ControllerBatch__Output {
  'messages': (_mezzo_v1_ControllerMessage__Output)[];
}
