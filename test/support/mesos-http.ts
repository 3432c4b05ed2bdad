/**
 * A Mesos v1 HTTP API client for tests, written from Mesos' docs/scheduler-http-api.md
 * and docs/recordio.md, independent of the adapter's code: raw HTTP over node:http, a
 * RecordIO reader that accepts records split anywhere across chunks, and bodies in JSON
 * or protobuf (encoded with protobufjs from the .proto files, as a framework would).
 */
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { authHeader } from './auth.js';

/** Reads RecordIO: `<decimal length>\n<bytes>` repeated; feed it any split of the stream. */
export class RecordIoReader {
  private buf = Buffer.alloc(0);

  /** Adds bytes; returns the records now complete. */
  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return out;
      const header = this.buf.subarray(0, nl).toString('ascii');
      if (!/^\d+$/.test(header)) throw new Error(`bad RecordIO length ${JSON.stringify(header)}`);
      const len = Number(header);
      if (this.buf.length < nl + 1 + len) return out;
      out.push(this.buf.subarray(nl + 1, nl + 1 + len));
      this.buf = this.buf.subarray(nl + 1 + len);
    }
  }
}

let root: protobuf.Root | undefined;

/** Mesos' scheduler Call and Event types, loaded from proto/mesos/. */
export function mesosTypes(): { call: protobuf.Type; event: protobuf.Type } {
  if (!root) {
    const r = new protobuf.Root();
    const dir = join(process.cwd(), 'proto');
    r.resolvePath = (_o, target) => join(dir, target);
    r.loadSync('mesos/v1/scheduler/scheduler.proto', { keepCase: true });
    root = r;
  }
  return {
    call: root.lookupType('mesos.v1.scheduler.Call'),
    event: root.lookupType('mesos.v1.scheduler.Event'),
  };
}

/** A call body in a format. */
export function encodeCall(call: object, format: 'json' | 'protobuf'): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify(call));
  const { call: type } = mesosTypes();
  return Buffer.from(type.encode(type.fromObject(call)).finish());
}

function decodeEvent(record: Buffer, format: 'json' | 'protobuf'): MesosTestEvent {
  if (format === 'json') return JSON.parse(record.toString('utf8')) as MesosTestEvent;
  const { event } = mesosTypes();
  return event.toObject(event.decode(record), {
    enums: String,
    bytes: String,
    longs: Number,
  }) as MesosTestEvent;
}

/** An event as the tests read it (Mesos JSON). */
export interface MesosTestEvent {
  type: string;
  subscribed?: { framework_id: { value: string }; heartbeat_interval_seconds?: number };
  offers?: {
    offers: {
      id: { value: string };
      agent_id: { value: string };
      hostname: string;
      resources: { name: string; type: string; scalar?: { value: number } }[];
    }[];
  };
  update?: {
    status: {
      task_id: { value: string };
      state: string;
      reason?: string;
      message?: string;
      uuid?: string;
      agent_id?: { value: string };
    };
  };
  error?: { message: string };
}

const CONTENT = { json: 'application/json', protobuf: 'application/x-protobuf' } as const;

/** An open subscription: its events as they arrive. */
export class MesosSubscription {
  readonly events: MesosTestEvent[] = [];
  ended = false;
  /** The body of a refused subscription (status not 200): not RecordIO. */
  text = '';
  private waiters: (() => void)[] = [];

  constructor(
    readonly status: number,
    readonly streamId: string,
    readonly res: IncomingMessage,
    format: 'json' | 'protobuf',
  ) {
    const reader = new RecordIoReader();
    res.on('data', (chunk: Buffer) => {
      if (status !== 200) this.text += chunk.toString('utf8');
      else for (const r of reader.push(chunk)) this.events.push(decodeEvent(r, format));
      this.wake();
    });
    res.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for an event matching `pred` (already seen ones count); `what` names it on a timeout. */
  async next(
    pred: (e: MesosTestEvent) => boolean,
    what: string,
    ms = 15_000,
  ): Promise<MesosTestEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; saw ${this.events.map((e) => e.type).join(',')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * Acknowledges every update carrying a uuid (as the API requires: an agent sends a
   * task's next update only once the previous one is acknowledged) until an event
   * matching `pred` arrives; resolves with it.
   */
  async acknowledgeUntil(
    url: string,
    frameworkId: string,
    format: 'json' | 'protobuf',
    pred: (e: MesosTestEvent) => boolean,
    what: string,
  ): Promise<MesosTestEvent> {
    for (;;) {
      for (const e of this.events) {
        const s = e.update?.status;
        if (!s?.uuid || this.acked.has(s.uuid)) continue;
        this.acked.add(s.uuid);
        const res = await mesosCall(
          url,
          {
            type: 'ACKNOWLEDGE',
            framework_id: { value: frameworkId },
            acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid },
          },
          format,
          this.streamId,
        );
        if (res.status !== 202)
          throw new Error(`ACKNOWLEDGE answered ${String(res.status)}: ${res.body}`);
      }
      const found = this.events.find(pred);
      if (found) return found;
      await this.next(
        (e) =>
          pred(e) || (e.update?.status.uuid !== undefined && !this.acked.has(e.update.status.uuid)),
        what,
      );
    }
  }

  /** The whole body of a refused subscription, once the server ended it. */
  async refusal(): Promise<string> {
    while (!this.ended) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.text;
  }

  /** Uuids of the updates acknowledged (base64). */
  readonly acked = new Set<string>();

  /** Closes the connection. */
  close(): void {
    this.res.destroy();
  }
}

/** A plain answer. */
export interface MesosAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * POSTs raw bytes; resolves with the whole answer (not for SUBSCRIBE). The test admin's
 * token goes along unless `headers` name an `authorization` (empty: none is sent).
 */
export function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<MesosAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: withAuth(headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `headers` with the test admin's token unless they name an authorization ('' drops it). */
function withAuth(headers: Record<string, string>): Record<string, string> {
  const { authorization, ...rest } = { ...authHeader(), ...headers };
  return authorization ? { ...rest, authorization } : rest;
}

/** Makes a call (not SUBSCRIBE) in a format; `auth` replaces the admin's credentials. */
export function mesosCall(
  url: string,
  call: object,
  format: 'json' | 'protobuf',
  streamId?: string,
  auth?: string,
): Promise<MesosAnswer> {
  return post(url, encodeCall(call, format), {
    'content-type': CONTENT[format],
    accept: CONTENT[format],
    ...(streamId !== undefined ? { 'mesos-stream-id': streamId } : {}),
    ...(auth !== undefined ? { authorization: auth } : {}),
  });
}

/** SUBSCRIBEs; resolves once the response headers arrive. */
export function mesosSubscribe(
  url: string,
  call: object,
  format: 'json' | 'protobuf',
  auth?: string,
): Promise<MesosSubscription> {
  return new Promise((resolve, reject) => {
    const headers = withAuth({
      'content-type': CONTENT[format],
      accept: CONTENT[format],
      ...(auth !== undefined ? { authorization: auth } : {}),
    });
    const req = request(url, { method: 'POST', headers }, (res) => {
      const id = res.headers['mesos-stream-id'];
      resolve(
        new MesosSubscription(res.statusCode ?? 0, typeof id === 'string' ? id : '', res, format),
      );
    });
    req.on('error', reject);
    req.end(encodeCall(call, format));
  });
}
