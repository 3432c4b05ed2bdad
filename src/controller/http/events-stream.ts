/**
 * The dashboard's live stream, GET /events: server-sent events over a plain response the
 * browser reads with fetch(). The first event is a `snapshot` of every collection; after
 * it, once a tick, a `delta` names only the items that changed or went away, and nothing
 * is sent when nothing changed (a comment line every heartbeat keeps the connection's
 * liveness known). Mesos' and Marathon's consoles re-fetched the whole state each second
 * per open page; here one pass is made per tick however many pages are open (building
 * only the items that changed, dashboard-json.ts), a page that opens gets the snapshot joined
 * once since the view last changed, and a page costs the bytes of what changed, buffered up to a bound: a client that reads too
 * slowly to keep under it is dropped (it reconnects and gets a fresh snapshot).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';
import type { Timer } from '../../shared/clock.js';
import { HttpError } from '../../shared/http/errors.js';
import type { Kind, Store, StoredObject } from '../../store/types.js';
import type { ControllerCore } from '../core.js';
import { DashboardJson } from './dashboard-json.js';
import type { ControllerIdentity, StoredObjects } from './dashboard-view.js';
import { NO_PARAMETERS } from './schemas.js';

/** Bounds on what open dashboards cost the controller. */
export interface StreamLimits {
  /** Streams open at once; the next is refused with 503. */
  maxClients: number;
  /** Unsent bytes one client may have queued; past them it is dropped at the next event. */
  maxBufferedBytes: number;
  /** How often the view is diffed and deltas sent (ms). */
  tickMs: number;
  /** How often an idle stream gets a comment line (ms). */
  heartbeatMs: number;
}

/** The defaults: 64 pages, 1 MiB each, a delta a second at most, a heartbeat every 15 s. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxClients: 64,
  maxBufferedBytes: 1 << 20,
  tickMs: 1000,
  heartbeatMs: 15_000,
};

const STORED_KINDS = ['App', 'Schedule', 'Role'] as const satisfies readonly Kind[];

function keyOf(o: StoredObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** The stream's server side: one view and one diff per tick, shared by every client. */
export class DashboardFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly stored: Record<(typeof STORED_KINDS)[number], Map<string, StoredObject>> = {
    App: new Map(),
    Schedule: new Map(),
    Role: new Map(),
  };
  private readonly offerSeen = new Map<string, number>();
  /**
   * Each client's snapshot size: its bound is this plus `maxBufferedBytes`, since a
   * snapshot of 10,000 tasks (megabytes) is larger than the bound by itself and a page
   * still reading it when the next event comes must not be dropped for it.
   */
  private readonly snapshotBytes = new WeakMap<ServerResponse, number>();
  /**
   * The snapshot event of the last pass, joined and encoded once per change of the view,
   * not once per page that opens.
   */
  private snapshot: Buffer | undefined;
  /** Kept while no page is open: a page that opens later rebuilds only what changed. */
  private readonly json: DashboardJson;
  private unwatch: (() => void)[] = [];
  private tickTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  /** Clients dropped for falling behind, since start. */
  dropped = 0;
  /** What the passes cost, so that an open page's cost to the controller can be read. */
  private readonly passSeconds: Histogram;

  constructor(
    private readonly core: ControllerCore,
    private readonly store: Store,
    private readonly identity: ControllerIdentity,
    readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    this.json = new DashboardJson(core);
    this.passSeconds = core.opts.metrics.histogram(
      'mezzo_dashboard_pass_seconds',
      'How long one pass of the dashboard stream took (each tick while a page is open, and a first page opening)',
    );
  }

  /** Streams open now. */
  get open(): number {
    return this.clients.size;
  }

  /** Adds a client (its headers not yet sent); false when the limit is reached. */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= this.limits.maxClients) return false;
    if (this.clients.size === 0) this.start();
    this.clients.add(res);
    res.on('close', () => {
      this.remove(res);
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    if (this.clients.size === 1) {
      // The first page since none was open: a pass whose changes no page needs (it gets
      // the snapshot). The snapshot joined before the last page closed is served again
      // when the pass finds nothing changed since: joining 10,000 tasks' texts again
      // was most of what a page opening on a quiet cluster waited for.
      // (The very first pass finds no last pass and returns no delta: no snapshot yet.)
      if (this.advance() !== undefined) this.snapshot = undefined;
    }
    this.snapshot ??= Buffer.from(this.json.snapshot());
    const snapshot = this.snapshot;
    this.snapshotBytes.set(res, snapshot.length);
    this.send(res, snapshot);
    return true;
  }

  /** Ends every stream and stops watching. */
  close(): void {
    for (const res of [...this.clients]) res.destroy();
    this.stop();
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    for (const kind of STORED_KINDS) {
      const books = this.stored[kind];
      this.unwatch.push(
        this.store.watch(kind, (e) => {
          if (e.type === 'DELETED') books.delete(keyOf(e.object));
          else books.set(keyOf(e.object), e.object);
        }),
      );
    }
    const tick = () => {
      this.tick();
      this.tickTimer = this.core.clock.setTimer(this.limits.tickMs, tick);
    };
    const beat = () => {
      for (const res of [...this.clients]) this.send(res, ': ping\n\n');
      this.heartbeatTimer = this.core.clock.setTimer(this.limits.heartbeatMs, beat);
    };
    this.tickTimer = this.core.clock.setTimer(this.limits.tickMs, tick);
    this.heartbeatTimer = this.core.clock.setTimer(this.limits.heartbeatMs, beat);
  }

  private stop(): void {
    for (const u of this.unwatch) u();
    this.unwatch = [];
    this.tickTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.tickTimer = undefined;
    this.heartbeatTimer = undefined;
    // The watches replay every object when they start again.
    for (const m of Object.values(this.stored)) m.clear();
    // The last pass's texts, offers' first-seen times and snapshot stay: the next first
    // page's pass compares with them and builds only what changed meanwhile.
  }

  /** A pass of the view: the delta since the last, or undefined when nothing changed. */
  private advance(): string | undefined {
    const start = performance.now();
    const now = this.core.clock.now();
    const live = new Set(this.core.offers.all().map((o) => o.id));
    for (const id of this.offerSeen.keys()) if (!live.has(id)) this.offerSeen.delete(id);
    for (const id of live) if (!this.offerSeen.has(id)) this.offerSeen.set(id, now);
    const stored: StoredObjects = this.stored;
    const delta = this.json.advance(this.identity, stored, this.offerSeen);
    this.passSeconds.observe((performance.now() - start) / 1000);
    return delta;
  }

  private tick(): void {
    const delta = this.advance();
    if (delta === undefined) return;
    this.snapshot = undefined;
    for (const res of [...this.clients]) this.send(res, delta);
  }

  /**
   * Writes, or drops a client that has more than the bound still unsent: what one page
   * holds in the controller is at most its snapshot, the bound and one event.
   */
  private send(res: ServerResponse, chunk: string | Buffer): void {
    if (res.destroyed) return;
    const bound = this.limits.maxBufferedBytes + (this.snapshotBytes.get(res) ?? 0);
    if (res.writableLength > bound) {
      this.dropped++;
      // Not end(): that would wait for the backlog this client does not read.
      res.destroy();
      this.remove(res);
      return;
    }
    res.write(chunk);
  }
}

/** Registers GET /events on `app`; the feed's streams end with the server. */
export function eventsRoute(app: FastifyInstance, feed: DashboardFeed): void {
  // The controller closes its server (not the fastify app) when it stops.
  app.server.on('close', () => {
    feed.close();
  });
  // No HEAD twin: a HEAD would hold a stream slot open with nothing to read.
  const opts = { schema: { querystring: NO_PARAMETERS }, exposeHeadRoute: false };
  app.get('/events', opts, (_req, reply) => {
    if (feed.open >= feed.limits.maxClients) {
      throw new HttpError(
        503,
        'TOO_MANY_STREAMS',
        `${feed.open} dashboard streams are open, the most this controller serves; close one`,
      );
    }
    reply.hijack();
    feed.add(reply.raw);
  });
}
