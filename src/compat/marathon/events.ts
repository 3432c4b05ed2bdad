/**
 * Marathon's event bus, `GET /v2/events`: server-sent events, each an `event:` line with
 * the type and a `data:` line of JSON carrying `eventType` and `timestamp`. Sources:
 * the store's Task objects (their state changes: `status_update_event`), its App objects
 * (a deployment appearing or ending: `deployment_info` / `deployment_success`, an app
 * gone: `app_terminated_event`) and the Marathon API's own writes (`api_post_event`).
 * The store is watched only while a stream is open. Bounds as the dashboard stream's: a
 * number of streams, and unsent bytes per stream past which a slow reader is dropped.
 */
import type { ServerResponse } from 'node:http';
import type { ControllerCore } from '../../controller/core.js';
import { parseTaskId } from '../../frameworks/apps/app-spec.js';
import type { Timer } from '../../shared/clock.js';
import type { Store, WatchEvent } from '../../store/types.js';
import { marathonIdOf } from './app-id.js';
import { appTasks, deploymentOf } from './app-view.js';

/** Bounds on what open event streams cost. */
export interface EventLimits {
  maxClients: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
}

/** 64 streams, 1 MiB unsent each, a comment line every 15 s. */
export const DEFAULT_EVENT_LIMITS: EventLimits = {
  maxClients: 64,
  maxBufferedBytes: 1 << 20,
  heartbeatMs: 15_000,
};

interface Client {
  res: ServerResponse;
  /** The event types asked for (`?event_type=`); all when undefined. */
  types: ReadonlySet<string> | undefined;
}

type Json = Record<string, unknown>;

/** The event bus of one controller's Marathon API. */
export class MarathonEvents {
  private readonly clients = new Set<Client>();
  private unwatch: (() => void)[] = [];
  private readonly taskStates = new Map<string, string>();
  private readonly deployments = new Map<string, string>();
  private heartbeat: Timer | undefined;
  /** Streams dropped for reading too slowly, since start. */
  dropped = 0;

  constructor(
    private readonly core: ControllerCore,
    private readonly store: Store,
    /** The namespace the Marathon API's apps live in. */
    private readonly namespace: string,
    readonly limits: EventLimits = DEFAULT_EVENT_LIMITS,
  ) {}

  /** Streams open now. */
  get open(): number {
    return this.clients.size;
  }

  /** Adds a stream (headers not yet sent); false when the limit is reached. */
  add(res: ServerResponse, types: ReadonlySet<string> | undefined, clientIp: string): boolean {
    if (this.clients.size >= this.limits.maxClients) return false;
    if (this.clients.size === 0) this.start();
    const client = { res, types };
    this.clients.add(client);
    res.on('close', () => {
      this.remove(client);
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // The headers go now: a filtered stream may have nothing to write for a while.
    res.flushHeaders();
    this.send(client, 'event_stream_attached', { remoteAddress: clientIp });
    return true;
  }

  /** Sends an event to every stream that asked for its type. */
  emit(eventType: string, body: Json): void {
    for (const c of [...this.clients]) this.send(c, eventType, body);
  }

  /** Ends every stream and stops watching. */
  close(): void {
    for (const c of [...this.clients]) c.res.destroy();
    this.stop();
  }

  private send(c: Client, eventType: string, body: Json): void {
    if (c.types && !c.types.has(eventType)) return;
    if (c.res.destroyed) return;
    if (c.res.writableLength > this.limits.maxBufferedBytes) {
      this.dropped++;
      c.res.destroy();
      this.remove(c);
      return;
    }
    const data = JSON.stringify({
      ...body,
      eventType,
      timestamp: new Date(this.core.clock.now()).toISOString(),
    });
    c.res.write(`event: ${eventType}\ndata: ${data}\n\n`);
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    // The watch replays what exists first: that is the starting point, not news.
    let replaying = true;
    this.unwatch.push(
      this.store.watch('Task', (e) => {
        this.onTask(e, replaying);
      }),
    );
    this.unwatch.push(
      this.store.watch('App', (e) => {
        this.onApp(e, replaying);
      }),
    );
    replaying = false;
    const beat = () => {
      for (const c of [...this.clients]) if (!c.res.destroyed) c.res.write(': ping\n\n');
      this.heartbeat = this.core.clock.setTimer(this.limits.heartbeatMs, beat);
    };
    this.heartbeat = this.core.clock.setTimer(this.limits.heartbeatMs, beat);
  }

  private stop(): void {
    for (const u of this.unwatch) u();
    this.unwatch = [];
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
    this.taskStates.clear();
    this.deployments.clear();
  }

  private onTask(e: WatchEvent, replaying: boolean): void {
    const status = (e.object.status ?? {}) as Json;
    const taskId = typeof status.taskId === 'string' ? status.taskId : e.object.metadata.name;
    if (e.type === 'DELETED') {
      this.taskStates.delete(taskId);
      return;
    }
    const state = typeof status.state === 'string' ? status.state : undefined;
    if (state === undefined || this.taskStates.get(taskId) === state) return;
    this.taskStates.set(taskId, state);
    const app = parseTaskId(taskId);
    if (replaying || !app || app.namespace !== this.namespace) return;
    const live = this.core.tasks.get(taskId);
    this.emit('status_update_event', {
      slaveId: typeof status.agentId === 'string' ? status.agentId : (live?.agentId ?? ''),
      taskId,
      taskStatus: state,
      message: typeof status.message === 'string' ? status.message : '',
      appId: marathonIdOf(app.name),
      host: typeof status.hostname === 'string' ? status.hostname : '',
      ipAddresses: [],
      ports: [],
      version: app.version,
    });
  }

  private onApp(e: WatchEvent, replaying: boolean): void {
    const { namespace, name } = e.object.metadata;
    if (namespace !== this.namespace) return;
    const key = name;
    const appId = marathonIdOf(name);
    const before = this.deployments.get(key);
    if (e.type === 'DELETED') {
      this.deployments.delete(key);
      if (replaying) return;
      if (before !== undefined)
        this.emit('deployment_success', {
          id: before,
          plan: plan(before, appId, 'StopApplication'),
        });
      this.emit('app_terminated_event', { appId });
      return;
    }
    const now = deploymentOf(e.object, appTasks(this.core, namespace, name));
    if (now) this.deployments.set(key, now.id);
    else this.deployments.delete(key);
    if (replaying || now?.id === before) return;
    if (before !== undefined)
      this.emit('deployment_success', {
        id: before,
        plan: plan(before, appId, 'ScaleApplication'),
      });
    if (now) {
      const p = plan(now.id, appId, now.action);
      this.emit('deployment_info', { plan: p, currentStep: p.steps[0] });
    }
  }
}

/** A one-step deployment plan in Marathon's shape. */
export function plan(
  id: string,
  appId: string,
  action: string,
): { id: string; version: string; original: Json; target: Json; steps: { actions: Json[] }[] } {
  return {
    id,
    version: '',
    original: { id: '/', apps: [], groups: [], dependencies: [], pods: [] },
    target: { id: '/', apps: [], groups: [], dependencies: [], pods: [] },
    steps: [{ actions: [{ action, app: appId }] }],
  };
}
