/**
 * The controller process: the core, its gRPC services (scheduler and agent APIs), its
 * HTTP endpoints, and the store mirror — Task status follows task updates (see
 * task-mirror.ts: a delete always wins), Agent and Framework objects follow
 * registrations, Role objects drive the allocator's weights and quota. Store writes go
 * through a deduplicating work queue so a burst of updates to one task becomes one write
 * of its latest state.
 */
import type { Server } from 'node:http';
import { AccessGuard } from '../auth/access-guard.js';
import type { CertificateReloader } from '../shared/tls/certificate-reloader.js';
import { grpcServerCredentials } from '../shared/tls/credentials.js';
import type { RateLimit } from '../auth/rate-limit.js';
import type { AccessControl } from '../auth/types.js';
import { Resources } from '../allocator/index.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { agentProto, schedulerProto } from '../shared/proto.js';
import {
  DEFAULT_MAX_RECEIVE_BYTES,
  startGrpcServer,
  type RunningGrpcServer,
} from '../shared/grpc.js';
import { MAX_BATCH_BYTES } from '../shared/stream-outbox.js';
import { WorkQueue, runWorkers } from '../kube/workqueue.js';
import {
  FRAMEWORK_FINALIZER,
  FRAMEWORK_NAME_LABEL,
  FRAMEWORK_SUBSCRIBER_ANNOTATION,
  frameworkObject,
} from './framework-object.js';
import type { Store, StoredObject } from '../store/types.js';
import { API_VERSION } from '../store/types.js';
import { agentNode } from './agent-replacement.js';
import { ControllerCore } from './core.js';
import type { CoreOptions } from './core-options.js';
import { schedulerService, type SchedulerAccess } from './scheduler-service.js';
import { agentService } from './agent-service.js';
import { agentTransportKeepalive } from './agent-registration.js';
import { startHttp } from './http.js';
import { expectAgentsBack } from './recovery.js';
import type { RecordEvent } from './record-event.js';
import { TaskMirror } from './task-mirror.js';
import { AGENT_WRITE_GRACE_MS, AgentWrites } from './agent-writes.js';
import type { GrantWriter } from './task-grants.js';

/** Settings for {@link Controller}. */
export interface ControllerOptions extends Omit<
  CoreOptions,
  'onTaskChanged' | 'onAgentChanged' | 'onFrameworkChanged'
> {
  store: Store;
  /** How every HTTP and gRPC caller is authenticated and authorized (required). */
  access: AccessControl;
  /** Per-caller HTTP request rate (default: src/auth/rate-limit.ts). */
  httpRateLimit?: RateLimit;
  /** Largest gRPC message accepted (bytes; default 4 MiB). */
  grpcMaxReceiveBytes?: number;
  /** Serve gRPC and HTTP over TLS with this certificate (reloaded when its files change). */
  tls?: CertificateReloader;
  host?: string;
  grpcPort: number;
  httpPort: number;
  /** Namespace for Task objects of tasks launched through offers. */
  taskNamespace?: string;
  /**
   * Like Mesos' master after a failover: hold allocation until the agents that were
   * active before this start are back (or their ping timeout passes), so the first pass
   * does not offer a partial view. Off by default (`mezzo dev`, tests).
   */
  recoverAllocation?: boolean;
  /** Records a user-visible event on an object (Kubernetes Events in a cluster). */
  recordEvent?: RecordEvent;
  /**
   * Store writes in flight at once (default {@link STORE_WORKERS}): each worker awaits
   * one round trip, so with two a thousand tasks' status writes queued behind each other.
   */
  storeWorkers?: number;
  /**
   * How long a task launched here may stay STAGING before its Task object shows it
   * (default 500 ms, staging-grace.ts): the agent's first update usually comes sooner
   * and is written instead, one status write fewer a task.
   */
  stagingGraceMs?: number;
  /**
   * Writes the grant map that lets agents write their tasks' live status
   * (`--agent-status-writes`, task-grants.ts); without it the controller writes every
   * state itself.
   */
  grantWriter?: GrantWriter;
  /** How long a granted task's live states wait for its agent's write (agent-writes.ts). */
  agentWriteGraceMs?: number;
}

/**
 * Default number of store-write workers: one key each, never one key on two. Each waits
 * one apiserver round trip (hundreds of ms on a busy apiserver), so the count bounds the
 * write rate: 1,000 Tasks on the Kubernetes store reached RUNNING at 29 a second with 16
 * and 65 with 64, in two runs back to back, no client limit (docs/performance.md). A
 * client limit (--kube-api-qps) is what protects the apiserver; this only hides latency.
 */
export const STORE_WORKERS = 64;

export type { RecordEvent } from './record-event.js';
export { TASK_ID_LABEL, TASK_OBJECT_LABEL } from './task-mirror.js';

export { FRAMEWORK_FINALIZER, FRAMEWORK_NAME_LABEL, FRAMEWORK_SUBSCRIBER_ANNOTATION };

/** A running controller. */
export class Controller {
  readonly core: ControllerCore;
  private grpc: RunningGrpcServer | undefined;
  private http: Server | undefined;
  private readonly queue: WorkQueue;
  private workers: Promise<void> | undefined;
  private recoveryTimer: Timer | undefined;
  private unwatch: (() => void) | undefined;
  grpcAddress = '';
  httpPort = 0;
  private unwatchFrameworks: (() => void) | undefined;
  private unwatchTasks: (() => void) | undefined;
  private readonly tasks: TaskMirror;
  private readonly agentWrites: AgentWrites | undefined;

  /** Namespace of Framework mirrors and of Task objects for offer-launched tasks. */
  private get namespace(): string {
    return this.opts.taskNamespace ?? 'default';
  }

  constructor(private readonly opts: ControllerOptions) {
    this.queue = new WorkQueue(opts.clock, { baseDelayMs: 50, maxDelayMs: 5_000 });
    this.core = new ControllerCore({
      ...opts,
      onTaskChanged: (t) => {
        this.tasks.noteChanged(t);
        this.queue.add(`task/${t.id}`);
      },
      onAgentChanged: (a) => {
        this.queue.add(`agent/${a.id}`);
      },
      onFrameworkChanged: (fw) => {
        this.queue.add(`framework/${fw.id}`);
      },
      onFrameworkEvent: (fw, type, reason, message) => {
        this.opts.recordEvent?.(
          { kind: 'Framework', name: fw.id, namespace: this.namespace },
          type,
          reason,
          message,
        );
      },
    });
    const queueSync = (id: string) => {
      this.queue.add(`task/${id}`);
    };
    const agentWrites = opts.grantWriter
      ? new AgentWrites(
          this.core,
          opts.grantWriter,
          opts.clock,
          opts.logger,
          opts.agentWriteGraceMs ?? AGENT_WRITE_GRACE_MS,
          queueSync,
        )
      : undefined;
    this.agentWrites = agentWrites;
    this.tasks = new TaskMirror({
      core: this.core,
      store: opts.store,
      clock: opts.clock,
      log: opts.logger,
      namespace: this.namespace,
      ...(opts.recordEvent ? { recordEvent: opts.recordEvent } : {}),
      queueRelease: (key) => {
        this.queue.add(`task-object/${key}`);
      },
      queueSync,
      ...(opts.stagingGraceMs !== undefined ? { stagingGraceMs: opts.stagingGraceMs } : {}),
      ...(agentWrites ? { agentWrites } : {}),
    });
  }

  /** The logger. */
  get log(): Logger {
    return this.opts.logger;
  }

  /** Starts serving. */
  async start(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    // Before agents can connect: which ones this start expects back.
    this.recoveryTimer = await expectAgentsBack(this.opts.store, this.core, {
      pauseAllocation: this.opts.recoverAllocation === true,
    });
    // Before any status write: the admission policy needs the grant map to exist.
    await this.agentWrites?.start();
    const guard = new AccessGuard(this.opts.access, this.opts.metrics);
    const scheduler: SchedulerAccess = {
      guard,
      namespace: this.namespace,
      recordedSubscriber: async (id) =>
        (await this.opts.store.get('Framework', id, this.namespace))?.metadata.annotations?.[
          FRAMEWORK_SUBSCRIBER_ANNOTATION
        ],
    };
    this.grpc = await startGrpcServer(
      host,
      this.opts.grpcPort,
      (s) => {
        s.addService(
          schedulerProto().mezzo.v1.Scheduler.service,
          schedulerService(this.core, scheduler),
        );
        s.addService(
          agentProto().mezzo.v1.Agent.service,
          agentService(
            this.core,
            guard,
            // A batch must fit what this server reads in one message.
            Math.min(MAX_BATCH_BYTES, this.opts.grpcMaxReceiveBytes ?? DEFAULT_MAX_RECEIVE_BYTES),
          ),
        );
      },
      { logger: this.log, metrics: this.opts.metrics, component: 'controller' },
      this.opts.grpcMaxReceiveBytes,
      grpcServerCredentials(this.opts.tls),
      agentTransportKeepalive(this.core.opts.agentPingTimeoutMs),
    );
    this.grpcAddress = this.grpc.address;
    const http = await startHttp({
      core: this.core,
      metrics: this.opts.metrics,
      store: this.opts.store,
      access: this.opts.access,
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
      ...(this.opts.httpRateLimit ? { rateLimit: this.opts.httpRateLimit } : {}),
      namespace: this.namespace,
      scheduler,
      host,
      port: this.opts.httpPort,
    });
    this.http = http.server;
    this.httpPort = http.port;
    // A deleted Task object's task is killed at once; one deleted before its launch
    // lands is killed by the mirror when it does.
    this.unwatchTasks = this.opts.store.watch('Task', (e) => {
      this.tasks.onObject(e.object, e.type === 'DELETED');
    });
    this.unwatch = this.opts.store.watch('Role', (e) => {
      this.applyRole(e.object, e.type === 'DELETED');
    });
    // Deleting a framework's mirror object tears the framework down (its finalizer waits).
    this.unwatchFrameworks = this.opts.store.watch('Framework', (e) => {
      const fw = this.core.frameworks.get(e.object.metadata.name);
      if (e.object.metadata.deletionTimestamp && fw)
        this.core.removeFramework(fw, 'its Framework object was deleted');
      if (e.object.metadata.deletionTimestamp)
        this.queue.add(`framework/${e.object.metadata.name}`);
    });
    this.workers = runWorkers(
      this.queue,
      this.opts.storeWorkers ?? STORE_WORKERS,
      async (key) => {
        await this.reconcile(key);
        return undefined;
      },
      (key, err) => {
        this.log.warn('store write failed; retrying', {
          key,
          error: err instanceof Error ? err.message : String(err),
        });
      },
    );
    this.core.start();
    this.log.info('controller serving', {
      grpc: this.grpcAddress,
      http: `${host}:${this.httpPort}`,
    });
  }

  /** Stops serving (tasks on agents keep running). */
  async stop(): Promise<void> {
    this.recoveryTimer?.cancel();
    this.tasks.stop();
    this.core.stop();
    this.unwatch?.();
    this.unwatchFrameworks?.();
    this.unwatchTasks?.();
    this.queue.shutDown();
    await this.workers;
    await this.agentWrites?.stop();
    await this.grpc?.stop(500);
    await new Promise<void>((resolve) => {
      if (!this.http) resolve();
      else this.http.close(() => resolve());
      this.http?.closeAllConnections();
    });
  }

  private applyRole(obj: StoredObject, deleted: boolean): void {
    const spec = obj.spec as {
      path?: string;
      weight?: number;
      quota?: { guarantee?: Record<string, unknown>; limit?: Record<string, unknown> };
    };
    const role = spec.path ?? obj.metadata.name;
    try {
      this.core.allocator.updateWeights([{ role, weight: deleted ? 1 : (spec.weight ?? 1) }]);
      const q = deleted ? undefined : spec.quota;
      const toRes = (m: Record<string, unknown> | undefined) =>
        m
          ? Resources.fromQuantities(
              Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'custom')) as Record<
                string,
                string | number
              >,
            )
          : undefined;
      this.core.allocator.updateQuota(role, {
        guarantee: toRes(q?.guarantee),
        limit: toRes(q?.limit),
      });
    } catch (err) {
      this.log.warn('invalid role ignored', {
        role,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async reconcile(key: string): Promise<void> {
    // IDs may contain slashes; the kind is what precedes the first.
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const id = key.slice(slash + 1);
    if (kind === 'task-object') {
      await this.tasks.release(id);
    } else if (kind === 'framework') {
      await this.writeFramework(id);
    } else if (kind === 'task') {
      await this.tasks.sync(id);
    } else if (kind === 'agent') {
      const a = this.core.agents.get(id);
      if (!a) return;
      const name = agentNode(a.info, a.id);
      const status = {
        agentId: a.id,
        state: a.state === 'active' ? 'Active' : 'Unreachable',
        address: a.info.address,
        total: Object.fromEntries(
          Object.entries(Object.fromEntries(a.total.quantities())).map(([k, v]) => [k, v / 1000]),
        ),
        attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
        tasks: a.tasks.size,
      };
      const existing = await this.opts.store.get('Agent', name);
      if (!existing) {
        await this.opts.store.create({
          apiVersion: API_VERSION,
          kind: 'Agent',
          metadata: { name },
          spec: { nodeName: a.info.node_name, hostname: a.info.hostname },
        });
      }
      const prevState = (existing?.status as { state?: string } | undefined)?.state;
      await this.opts.store.updateStatus('Agent', name, undefined, status);
      if (prevState !== status.state && status.state === 'Unreachable') {
        this.opts.recordEvent?.(
          { kind: 'Agent', name },
          'Warning',
          'AgentLost',
          `agent ${a.id} stopped answering pings; its tasks are unreachable`,
        );
      }
    }
  }

  /**
   * Mirrors a framework into a Framework object named by its ID (so Tasks it launches
   * can name it as their owner), with a finalizer: deleting the object tears the
   * framework down, and the object goes once the framework is gone.
   */
  private async writeFramework(id: string): Promise<void> {
    const store = this.opts.store;
    const fw = this.core.frameworks.get(id);
    const obj = await store.get('Framework', id, this.namespace);
    if (!fw) {
      if (obj && (obj.metadata.finalizers ?? []).includes(FRAMEWORK_FINALIZER)) {
        obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter(
          (f) => f !== FRAMEWORK_FINALIZER,
        );
        await store.update(obj);
      }
      if (obj && !obj.metadata.deletionTimestamp)
        await store.delete('Framework', id, this.namespace);
      return;
    }
    if (!obj) {
      await store.create(
        frameworkObject(
          {
            id,
            name: fw.info.name,
            roles: fw.roles,
            failoverTimeoutSeconds: fw.info.failover_timeout_seconds,
            ...(fw.principal ? { subscriber: fw.principal.username } : {}),
          },
          this.namespace,
        ),
      );
    } else if (
      fw.principal &&
      !obj.metadata.deletionTimestamp &&
      obj.metadata.annotations?.[FRAMEWORK_SUBSCRIBER_ANNOTATION] === undefined
    ) {
      // Made before subscribers were recorded: record it now (it never changes after).
      obj.metadata.annotations = {
        ...obj.metadata.annotations,
        [FRAMEWORK_SUBSCRIBER_ANNOTATION]: fw.principal.username,
      };
      await store.update(obj);
    }
    let running = 0;
    for (const tid of fw.tasks) if (this.core.tasks.get(tid)?.state === 'TASK_RUNNING') running++;
    await store.updateStatus('Framework', id, this.namespace, {
      frameworkId: id,
      connected: fw.connected,
      tasks: { running },
    });
  }
}

/** Re-exported for callers that only need types. */
export type { Clock, MetricsRegistry };
