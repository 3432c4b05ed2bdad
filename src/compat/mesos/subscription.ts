/**
 * A SUBSCRIBE over Mesos' HTTP API: the response stays open and carries the framework's
 * events, each one RecordIO-framed in the format the scheduler asked for. To the
 * controller core it is one more event stream (the same `subscribe` as gRPC's), so
 * failover between wires, heartbeats and redelivery behave alike.
 */
import type { ServerResponse } from 'node:http';
import type * as grpc from '@grpc/grpc-js';
import type { SubscriberStream } from '../../controller/scheduler-service.js';
import type { Event } from '../../gen/mezzo/v1/Event.js';
import type { SubscribeRequest__Output } from '../../gen/mezzo/v1/SubscribeRequest.js';
import { CONTENT_TYPES, encodeMessage, type WireFormat } from './codec.js';
import { eventToMesos, recordIo, type MasterInfo } from './events.js';

/** The header carrying the subscription's stream ID. */
export const STREAM_ID_HEADER = 'Mesos-Stream-Id';

/** One subscription's chunked response. */
export class HttpSubscription implements SubscriberStream {
  private started = false;

  constructor(
    readonly request: SubscribeRequest__Output,
    private readonly res: ServerResponse,
    private readonly format: WireFormat,
    private readonly master: MasterInfo,
    /**
     * Bytes its scheduler may leave unread before its connection is closed: it is then
     * disconnected (its failover timeout starts) instead of growing the controller's
     * memory. The gRPC stream's bound (the controller's `maxUnreadEventBytes`).
     */
    private readonly maxUnreadBytes: number,
  ) {}

  write(event: Event): boolean {
    const res = this.res;
    if (res.writableEnded || res.destroyed) return false;
    if (!this.started) {
      this.started = true;
      const headers: Record<string, string> = {
        'Content-Type': CONTENT_TYPES[this.format],
        'Cache-Control': 'no-cache',
      };
      const streamId = event.subscribed?.stream_id;
      if (streamId) headers[STREAM_ID_HEADER] = streamId;
      res.writeHead(200, headers);
    }
    const mesos = eventToMesos(event, this.master);
    if (!mesos) return true;
    const ok = res.write(recordIo(encodeMessage('mesos.v1.scheduler.Event', this.format, mesos)));
    if (res.writableLength > this.maxUnreadBytes) res.destroy();
    return ok;
  }

  end(): void {
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { 'Content-Type': CONTENT_TYPES[this.format] });
    }
    this.res.end();
  }

  emit(_event: 'error', err: grpc.ServiceError): boolean {
    if (this.started) {
      this.res.end();
      return true;
    }
    this.started = true;
    // In Mesos' style, as the route's other errors (plain-errors.ts).
    this.res
      .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(`${err.details}\n`);
    return true;
  }

  on(event: 'cancelled' | 'close' | 'error', listener: () => void): this {
    // An HTTP response has no 'cancelled': a client going away closes it.
    if (event !== 'cancelled') this.res.on(event, listener);
    return this;
  }
}
