// Original file: proto/mezzo/v1/agent.proto

import type { AgentMessage as _mezzo_v1_AgentMessage, AgentMessage__Output as _mezzo_v1_AgentMessage__Output } from '../../mezzo/v1/AgentMessage.js';

/**
 * Messages an agent wrote during one turn of its event loop, sent as one, in
 * order. Only to a controller whose Registered set max_batch_bytes, and no larger. A
 * batch never holds Register, ReRegister or another batch.
 */
export interface AgentBatch {
  'messages'?: (_mezzo_v1_AgentMessage)[];
}

/**
 * Messages an agent wrote during one turn of its event loop, sent as one, in
 * order. Only to a controller whose Registered set max_batch_bytes, and no larger. A
 * batch never holds Register, ReRegister or another batch.
 */
export interface AgentBatch__Output {
  'messages': (_mezzo_v1_AgentMessage__Output)[];
}
