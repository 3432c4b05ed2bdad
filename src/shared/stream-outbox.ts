/**
 * The sending side of one gRPC stream, sending what is written during one turn of the
 * event loop as one batch message at the end of that turn. A grpc-js stream carries about
 * one message per turn of its writer's event loop (it starts the next write once the last
 * one's HTTP/2 write has completed): measured here, 2,000 small messages took 0.28 s to
 * cross a stream from an idle process and 8.1 s from one whose event loop turned every
 * 5 ms, and whatever was written after them (an agent's acknowledgements behind a burst of
 * launches) waited as long (docs/performance.md, "Session 19: one message per turn"). A
 * stream batches only once its peer has said how large a batch it reads (`max_batch_bytes`
 * in agent.proto); until then, and for a peer that never says, each message goes alone at
 * once, as before.
 */

/** What the outbox needs of a grpc-js stream. */
export interface OutboxStream<M> {
  /** Queues `message` on the stream; a failed stream reports itself by its 'error' event. */
  write(message: M): boolean;
  /** False once the stream has ended or been destroyed. */
  readonly writable: boolean;
}

/** How to batch this stream's messages. */
export interface BatchCodec<M> {
  /** One message carrying `messages`, in order; `sizes`: theirs, as `size` gave them. */
  wrap(messages: M[], sizes: number[]): M;
  /** The serialized size of a message, in bytes. */
  size(message: M): number;
}

/**
 * The most a batch element adds to the sum of its elements' sizes: the field tag and
 * length prefix of each element, and of the batch field itself, each at most 6 bytes.
 */
const FRAMING_BYTES = 6;

/**
 * The batch size a Mezzo process offers to read: well below every receive limit (the
 * controller's default 4 MiB, the agent's 64 MiB) and large enough for about 2,000
 * launches or 10,000 acknowledgements in one message.
 */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** Sends messages on one stream, in order, batching those written in one turn. */
export class StreamOutbox<M> {
  private limit = 0;
  private queued: M[] = [];
  private scheduled = false;
  private batches = 0;
  private batched = 0;

  constructor(
    private readonly stream: OutboxStream<M>,
    private readonly codec: BatchCodec<M>,
  ) {}

  /**
   * Batches from now on, none larger than `bytes` (the peer's `max_batch_bytes`, capped
   * at {@link MAX_BATCH_BYTES}); 0 sends each message alone.
   */
  batchUpTo(bytes: number): void {
    this.limit = Number.isFinite(bytes) ? Math.max(0, Math.min(bytes, MAX_BATCH_BYTES)) : 0;
  }

  /** Batches sent, and the messages they carried. */
  get stats(): { batches: number; messages: number } {
    return { batches: this.batches, messages: this.batched };
  }

  /** Sends `message` at the end of this turn of the event loop, with the others written in it. */
  write(message: M): void {
    if (this.limit === 0 && !this.scheduled) {
      // No batches: grpc-js queues it behind its own writes, as before batches.
      this.stream.write(message);
      return;
    }
    this.queued.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn: whatever they wrote leaves as one message.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Sends what this turn queued now, before the turn ends: call it before ending the
   * stream, so that what was written before the end is not dropped.
   */
  drain(): void {
    this.flush();
  }

  /** Sends what queued: one batch for as much as fits, the rest in further ones. */
  private flush(): void {
    const queued = this.queued;
    this.queued = [];
    if (!this.stream.writable) return; // gone; the protocol resends what mattered
    const first = queued[0];
    if (queued.length === 1 && first !== undefined) {
      // The usual turn of a quiet stream: nothing to size or wrap.
      this.stream.write(first);
      return;
    }
    let i = 0;
    while (i < queued.length) {
      let bytes = FRAMING_BYTES;
      let end = i;
      const sizes: number[] = [];
      while (end < queued.length) {
        const m = queued[end];
        if (m === undefined) break;
        const size = this.codec.size(m);
        // A message too large to share a batch goes alone, as it would without batches.
        if (end > i && bytes + size + FRAMING_BYTES > this.limit) break;
        bytes += size + FRAMING_BYTES;
        sizes.push(size);
        end++;
        if (this.limit === 0 || bytes > this.limit) break;
      }
      const taken = queued.slice(i, end);
      i = end;
      const only = taken[0];
      if (taken.length === 1 && only !== undefined) {
        this.stream.write(only);
        continue;
      }
      this.batches++;
      this.batched += taken.length;
      this.stream.write(this.codec.wrap(taken, sizes));
    }
  }
}
