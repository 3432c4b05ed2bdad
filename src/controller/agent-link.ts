/**
 * The controller's side of one agent's stream: what it writes goes through a
 * {@link StreamOutbox}, in batches once the agent has said it reads them (its AgentInfo's
 * `max_batch_bytes`), so that a burst of launches leaves in one message a turn, and an
 * acknowledgement written after it does not wait a turn for each launch ahead of it.
 */
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage__Output } from '../gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage } from '../gen/mezzo/v1/ControllerMessage.js';
import { controllerBatchCodec } from '../shared/agent-batches.js';
import { StreamOutbox, type BatchCodec } from '../shared/stream-outbox.js';

/** An agent's connection. */
export type AgentStream = grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>;

let codec: BatchCodec<ControllerMessage> | undefined;

/** One agent stream as the controller writes to it. */
export class AgentLink {
  private readonly outbox: StreamOutbox<ControllerMessage>;

  /**
   * `readBatchBytes`: the largest batch the controller reads on this stream (announced
   * in `registered`; below its gRPC receive limit).
   */
  constructor(
    readonly call: AgentStream,
    readonly readBatchBytes: number,
  ) {
    codec ??= controllerBatchCodec();
    this.outbox = new StreamOutbox(call, codec);
  }

  /** Sends a message (alone, or batched with the others written in this turn). */
  write(message: ControllerMessage): void {
    this.outbox.write(message);
  }

  /** Batches up to `bytes` from now on (the agent's `max_batch_bytes`; 0: never). */
  batchUpTo(bytes: number): void {
    this.outbox.batchUpTo(bytes);
  }

  /** Ends the stream, after what was written to it in this turn. */
  end(): void {
    this.outbox.drain();
    this.call.end();
  }
}
