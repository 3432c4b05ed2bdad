/**
 * Batches on the agent stream (agent.proto's AgentBatch and ControllerBatch): how each
 * side wraps and sizes them for its {@link StreamOutbox}, and the one rule for what a
 * received batch may hold.
 */
import type { AgentMessage, AgentMessage__Output } from '../gen/mezzo/v1/AgentMessage.js';
import type {
  ControllerMessage,
  ControllerMessage__Output,
} from '../gen/mezzo/v1/ControllerMessage.js';
import { agentProto } from './proto.js';
import type { BatchCodec } from './stream-outbox.js';

/** How the controller batches what it sends an agent. */
export function controllerBatchCodec(): BatchCodec<ControllerMessage> {
  const serialize = agentProto().mezzo.v1.Agent.service.Connect.responseSerialize;
  return {
    wrap: (messages) => ({ batch: { messages } }),
    size: (m) => serialize(m).length,
  };
}

/** How an agent batches what it sends the controller. */
export function agentBatchCodec(): BatchCodec<AgentMessage> {
  const serialize = agentProto().mezzo.v1.Agent.service.Connect.requestSerialize;
  return {
    wrap: (messages) => ({ batch: { messages } }),
    size: (m) => serialize(m).length,
  };
}

/**
 * Why a received agent batch is malformed, if it is: it holds a registration (which
 * must go alone: it is admitted before anything after it is read) or another batch.
 */
export function invalidAgentBatch(messages: readonly AgentMessage__Output[]): string | undefined {
  const i = messages.findIndex(
    (m) => m.payload === 'batch' || m.payload === 'register' || m.payload === 'reregister',
  );
  const bad = messages[i];
  return bad ? `batch.messages[${String(i)}]: a batch may not hold ${bad.payload}` : undefined;
}

/** Why a received controller batch is malformed (it holds another batch), if it is. */
export function invalidControllerBatch(
  messages: readonly ControllerMessage__Output[],
): string | undefined {
  const i = messages.findIndex((m) => m.payload === 'batch');
  return i >= 0 ? `batch.messages[${String(i)}]: a batch may not hold a batch` : undefined;
}
