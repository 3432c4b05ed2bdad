/**
 * A framework's gRPC event stream with a bound on what it has not read. grpc-js takes
 * every write: once a scheduler stops reading, HTTP/2 flow control holds its stream and
 * the events written after that wait in the controller's memory, without end (a silent
 * framework offered a large cluster every pass). Past the bound the stream ends with
 * RESOURCE_EXHAUSTED and nothing more is written to it: its framework is disconnected
 * (its failover timeout starts) as when its stream closes, and another subscription
 * brings it back, with the updates it has not acknowledged. What was written before the
 * bound waits until the scheduler reads it or its connection goes, then that status.
 * Mesos' HTTP API has the same bound (src/compat/mesos/subscription.ts).
 *
 * A scheduler that said how large a batch it reads (`max_batch_bytes`) gets the events
 * written to it during one turn of the controller's event loop as one BATCH event at the
 * end of that turn (src/shared/stream-outbox.ts): a grpc-js stream carries about one
 * message per turn of its writer's loop, so a busy controller would otherwise deliver a
 * burst of updates one per turn, with the next offers behind them.
 */
import * as grpc from '@grpc/grpc-js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import type { SubscribeRequest__Output } from '../gen/mezzo/v1/SubscribeRequest.js';
import { schedulerProto } from '../shared/proto.js';
import { grpcError } from '../shared/grpc.js';
import { StreamOutbox } from '../shared/stream-outbox.js';
import type { EventStream } from './records.js';

/** Bytes of events a scheduler may leave unread before its stream is ended. */
export const MAX_UNREAD_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * A subscriber stream (scheduler-service.ts' SubscriberStream) over a gRPC call, ended
 * past `maxUnreadBytes` unread.
 */
export class BoundedSubscription {
  /** Serialized bytes written and not yet taken by HTTP/2 (so by the peer's window). */
  private unread = 0;
  private overflowed = false;
  private readonly serialize =
    schedulerProto().mezzo.v1.Scheduler.service.Subscribe.responseSerialize;
  /** Each batch's size, from its events' (a backlog's count does not serialize it again). */
  private readonly batchSizes = new WeakMap<Event, number>();

  /**
   * @param onOverflow told once, with the bytes unread, when the bound is passed (the
   *   stream's error follows on the next turn).
   */
  /** Batches this turn's events, for a scheduler that reads batches. */
  private readonly outbox: StreamOutbox<Event> | undefined;

  constructor(
    private readonly call: EventStream,
    private readonly maxUnreadBytes: number,
    private readonly onOverflow: (unread: number) => void,
  ) {
    const batchBytes = call.request.max_batch_bytes;
    if (batchBytes > 0) {
      const outbox = new StreamOutbox<Event>(
        {
          write: (event) => this.send(event),
          get writable() {
            return !call.writableEnded && !call.cancelled;
          },
        },
        {
          wrap: (events, sizes) => {
            const batch: Event = { type: 'BATCH', batch: { events } };
            this.batchSizes.set(batch, batchEventBytes(sizes));
            return batch;
          },
          size: (event) => this.size(event),
        },
      );
      outbox.batchUpTo(batchBytes);
      this.outbox = outbox;
    }
  }

  /** The subscription's request. */
  get request(): SubscribeRequest__Output {
    return this.call.request;
  }

  /**
   * Writes `event` (to a scheduler that reads batches: at the end of this turn) unless
   * the bound was passed; false when it was not written.
   */
  write(event: Event): boolean {
    if (this.overflowed || this.call.writableEnded || this.call.cancelled) return false;
    if (this.outbox) {
      this.outbox.write(event);
      return true;
    }
    return this.send(event);
  }

  /** Puts one message on the stream and measures it against the bound. */
  private send(event: Event): boolean {
    if (this.overflowed) return false;
    // A write that finds nothing waiting goes out at once: only a backlog is measured
    // (a batch by its events' sizes; anything else by serializing it once more).
    const bytes =
      this.call.writableLength > 0 ? (this.batchSizes.get(event) ?? this.size(event)) : 0;
    this.unread += bytes;
    this.call.write(event, () => {
      this.unread -= bytes;
    });
    if (this.unread > this.maxUnreadBytes) {
      this.overflowed = true;
      const unread = this.unread;
      this.onOverflow(unread);
      // Not from inside the write: its caller (an offer pass, a status update) must not
      // see the framework disconnect under it.
      setImmediate(() => {
        // Gone meanwhile: its framework was disconnected by that.
        if (this.call.cancelled || this.call.destroyed) return;
        this.call.emit(
          'error',
          grpcError(
            grpc.status.RESOURCE_EXHAUSTED,
            `events unread past ${String(this.maxUnreadBytes)} bytes (${String(unread)}): ` +
              'the scheduler does not read its stream; subscribe again',
          ),
        );
      });
    }
    return true;
  }

  private size(event: Event): number {
    return this.serialize(event).length;
  }

  /** Ends the stream after what was written (this turn's batch included). */
  end(): void {
    this.outbox?.drain();
    if (!this.overflowed) this.call.end();
  }

  /** Refuses the subscription (before anything was written). */
  emit(event: 'error', err: grpc.ServiceError): boolean {
    return this.call.emit(event, err);
  }

  /** The stream went away, or the bound ended it ('error'). */
  on(event: 'cancelled' | 'close' | 'error', listener: () => void): this {
    this.call.on(event, listener);
    return this;
  }
}

/** Bytes of a protobuf varint holding `n` (n ≥ 0). */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/**
 * The serialized size of a BATCH event carrying events of `sizes` bytes: its type (field
 * 1, BATCH = 9: two bytes) and its `batch` (field 9: a tag byte, a length, and for each
 * event a tag byte, a length and the event).
 */
export function batchEventBytes(sizes: readonly number[]): number {
  const inner = sizes.reduce((sum, n) => sum + 1 + varintBytes(n) + n, 0);
  return 2 + 1 + varintBytes(inner) + inner;
}
