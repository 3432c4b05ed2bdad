/**
 * A framework's client for the scheduler API: subscribes, keeps the subscription alive
 * (resubscribing with its framework ID after a disconnect or controller restart, with
 * backoff and jitter), reconciles its tasks after every subscription, delivers typed
 * events, acknowledges status updates automatically unless told not to, and wraps every
 * call with the framework and stream IDs.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../shared/proto.js';
import { CLIENT_OPTIONS } from '../shared/grpc.js';
import { Backoff } from '../kube/backoff.js';
import type { SchedulerClient as GrpcSchedulerClient } from '../gen/mezzo/v1/Scheduler.js';
import type { Event__Output } from '../gen/mezzo/v1/Event.js';
import type { FrameworkInfo } from '../gen/mezzo/v1/FrameworkInfo.js';
import type { Offer__Output } from '../gen/mezzo/v1/Offer.js';
import type { Operation } from '../gen/mezzo/v1/Operation.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';

/** Events a {@link SchedulerClient} emits. */
export interface SchedulerEvents {
  subscribed: [frameworkId: string];
  offers: [offers: Offer__Output[]];
  rescind: [offerId: string];
  update: [status: TaskStatus__Output];
  /** An ERROR event from the controller (e.g. the framework was removed). */
  controllerError: [message: string];
  disconnected: [reason: string];
}

/** Options for {@link SchedulerClient}. */
export interface SchedulerClientOptions {
  /**
   * Controller gRPC address (host:port), or the addresses of every controller replica:
   * after a disconnect the client tries the next one, so it follows a leader failover.
   */
  address: string | readonly string[];
  framework: FrameworkInfo;
  /** Acknowledge updates automatically (default true). */
  autoAcknowledge?: boolean;
  /** Resubscribe after disconnects (default true). */
  reconnect?: boolean;
  /**
   * Reconcile after every SUBSCRIBED (default true): explicitly for the tasks this returns
   * (so that tasks the controller no longer knows come back as TASK_UNKNOWN or TASK_GONE),
   * then implicitly for every task the controller knows. The answers arrive as updates.
   */
  reconcileOnSubscribe?: boolean;
  /** The tasks the framework believes it has, for explicit reconciliation. */
  knownTasks?: () => { task_id: string; agent_id?: string }[];
  backoff?: Backoff;
}

/** The framework client. */
export class SchedulerClient extends EventEmitter<SchedulerEvents> {
  private readonly clients: GrpcSchedulerClient[];
  private current = 0;
  /** Whether the framework wants offers (undefined until it says), see {@link wantOffers}. */
  private offersWanted: boolean | undefined;
  /** What this subscription's controller was last told: revived (true) or suppressed. */
  private offersTold: boolean | undefined;
  /** Roles set by {@link updateRoles}, overriding the FrameworkInfo's. */
  private roles: string[] | undefined;
  private frameworkId = '';
  private streamId = '';
  private call: grpc.ClientReadableStream<Event__Output> | undefined;
  private closed = false;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Tasks with an update since the last subscription (reconciliation answered them). */
  private readonly answered = new Set<string>();
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SchedulerClientOptions) {
    super();
    const proto = schedulerProto();
    const addresses = typeof opts.address === 'string' ? [opts.address] : [...opts.address];
    if (addresses.length === 0) throw new RangeError('SchedulerClient needs a controller address');
    this.clients = addresses.map(
      (a) => new proto.mezzo.v1.Scheduler(a, grpc.credentials.createInsecure(), CLIENT_OPTIONS),
    );
    this.backoff = opts.backoff ?? new Backoff({ initialMs: 100, maxMs: 5_000 });
    this.frameworkId = opts.framework.id ?? '';
  }

  // Every call goes to the replica the subscription is on.
  private get client(): GrpcSchedulerClient {
    const c = this.clients[this.current] ?? this.clients[0];
    if (!c) throw new RangeError('SchedulerClient has no controller address');
    return c;
  }

  /** The framework ID once subscribed. */
  get id(): string {
    return this.frameworkId;
  }

  /** Whether a subscription is open now. */
  get connected(): boolean {
    return this.streamId !== '' && this.call !== undefined;
  }

  /** Subscribes; resolves with the framework ID on the first SUBSCRIBED. */
  start(): Promise<string> {
    const first = new Promise<string>((resolve, reject) => {
      this.once('subscribed', resolve);
      if (this.opts.reconnect === false) this.once('disconnected', (r) => reject(new Error(r)));
    });
    this.subscribe();
    return first;
  }

  /** Closes the subscription (the framework stays registered until its failover timeout). */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.call?.cancel();
    this.call = undefined;
    for (const c of this.clients) c.close();
  }

  /**
   * Changes the roles the framework receives offers for. The controller learns them from
   * a prompt resubscription with the same framework ID (tasks and allocations stay);
   * offers for dropped roles stop, and `subscribed` fires again.
   */
  updateRoles(roles: readonly string[]): void {
    if (roles.length === 0) throw new RangeError('a framework needs at least one role');
    this.roles = [...roles];
    const call = this.call;
    if (!call || this.closed) return; // the next subscription carries them
    this.call = undefined;
    this.streamId = '';
    call.cancel();
    this.subscribe();
  }

  private subscribe(): void {
    if (this.closed) return;
    const call = this.client.Subscribe({
      framework_info: {
        ...this.opts.framework,
        id: this.frameworkId,
        ...(this.roles ? { roles: this.roles } : {}),
      },
    });
    this.call = call;
    call.on('data', (e: Event__Output) => {
      this.onEvent(e);
    });
    const ended = (reason: string) => {
      if (this.call !== call) return;
      this.call = undefined;
      this.streamId = '';
      this.emit('disconnected', reason);
      if (this.closed || this.opts.reconnect === false) return;
      // Another replica may lead now; a lone address just retries itself.
      this.current = (this.current + 1) % this.clients.length;
      const delay = this.backoff.next();
      this.retryTimer = setTimeout(() => {
        this.subscribe();
      }, delay);
    };
    call.on('error', (err: grpc.ServiceError) => {
      ended(err.details || err.message);
    });
    call.on('end', () => {
      ended('stream ended');
    });
  }

  private onEvent(e: Event__Output): void {
    switch (e.type) {
      case 'SUBSCRIBED':
        this.frameworkId = e.subscribed?.framework_id ?? '';
        this.streamId = e.subscribed?.stream_id ?? '';
        this.backoff.reset();
        this.answered.clear();
        // A new controller, or the same one after a failover, may hold either state.
        this.offersTold = undefined;
        this.emit('subscribed', this.frameworkId);
        this.syncOffers().catch((err: unknown) => {
          this.emit('controllerError', `suppress/revive failed: ${String(err)}`);
        });
        if (this.opts.reconcileOnSubscribe !== false) this.reconcileAll(this.streamId, 0);
        break;
      case 'OFFERS':
        this.emit('offers', e.offers?.offers ?? []);
        break;
      case 'RESCIND':
        this.emit('rescind', e.rescind?.offer_id ?? '');
        break;
      case 'UPDATE': {
        const status = e.update?.status;
        if (!status) break;
        this.answered.add(status.task_id);
        this.emit('update', status);
        if (this.opts.autoAcknowledge !== false && status.uuid.length > 0) {
          this.acknowledge(status).catch(() => undefined);
        }
        break;
      }
      case 'ERROR':
        this.emit('controllerError', e.error?.message ?? 'error');
        break;
      default:
        break;
    }
  }

  private header() {
    return { framework_id: this.frameworkId, stream_id: this.streamId };
  }

  private unary(
    send: (cb: (err: grpc.ServiceError | null, value?: object) => void) => unknown,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      send((err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Accepts offers with operations; unused resources are refused for `refuseSeconds`. */
  accept(offerIds: string[], operations: Operation[], refuseSeconds?: number): Promise<void> {
    return this.unary((cb) =>
      this.client.Accept(
        {
          header: this.header(),
          offer_ids: offerIds,
          operations,
          filters: refuseSeconds !== undefined ? { refuse_seconds: refuseSeconds } : {},
        },
        cb,
      ),
    );
  }

  /** Declines offers; they are not re-offered to this framework for `refuseSeconds`. */
  decline(offerIds: string[], refuseSeconds?: number): Promise<void> {
    return this.unary((cb) =>
      this.client.Decline(
        {
          header: this.header(),
          offer_ids: offerIds,
          filters: refuseSeconds !== undefined ? { refuse_seconds: refuseSeconds } : {},
        },
        cb,
      ),
    );
  }

  /** Asks for offers again (clears filters and suppression). */
  revive(roles: string[] = []): Promise<void> {
    return this.unary((cb) => this.client.Revive({ header: this.header(), roles }, cb));
  }

  /**
   * Offers only while there is work: suppresses when `want` turns false and revives (which
   * also clears refuse filters) when it turns true, sending nothing when it did not change.
   * The wish outlives the subscription: after every resubscription it is told again, since
   * a new controller starts unsuppressed and the same one keeps what it was told.
   */
  async wantOffers(want: boolean): Promise<void> {
    this.offersWanted = want;
    await this.syncOffers();
  }

  private async syncOffers(): Promise<void> {
    const want = this.offersWanted;
    if (want === undefined || !this.connected || this.offersTold === want) return;
    this.offersTold = want;
    try {
      await (want ? this.revive() : this.suppress());
    } catch (err) {
      this.offersTold = undefined;
      throw err;
    }
  }

  /** Stops offers for the roles until revive. */
  suppress(roles: string[] = []): Promise<void> {
    return this.unary((cb) => this.client.Suppress({ header: this.header(), roles }, cb));
  }

  /** Kills a task. */
  kill(taskId: string, agentId = '', gracePeriodSeconds?: number): Promise<void> {
    return this.unary((cb) =>
      this.client.Kill(
        {
          header: this.header(),
          task_id: taskId,
          agent_id: agentId,
          ...(gracePeriodSeconds !== undefined ? { grace_period_seconds: gracePeriodSeconds } : {}),
        },
        cb,
      ),
    );
  }

  /** Acknowledges a status update. */
  acknowledge(status: TaskStatus__Output): Promise<void> {
    return this.unary((cb) =>
      this.client.Acknowledge(
        {
          header: this.header(),
          agent_id: status.agent_id,
          task_id: status.task_id,
          uuid: status.uuid,
        },
        cb,
      ),
    );
  }

  /** Asks for the latest state of tasks (all of the framework's when empty). */
  reconcile(tasks: { task_id: string; agent_id?: string }[] = []): Promise<void> {
    return this.unary((cb) => this.client.Reconcile({ header: this.header(), tasks }, cb));
  }

  /**
   * Mesos' recommended reconciliation: explicit for the tasks we know, then implicit; and
   * explicit again, with backoff (1, 2, 4, 8, 16 s), for known tasks still without an
   * answer — a controller that just started holds its answer until agents re-register.
   */
  private reconcileAll(streamId: string, round: number): void {
    const stale = () => this.closed || this.streamId !== streamId;
    const pending = (this.opts.knownTasks?.() ?? []).filter((t) => !this.answered.has(t.task_id));
    const send = async () => {
      if (pending.length > 0) await this.reconcile(pending);
      if (round === 0) await this.reconcile([]);
    };
    send()
      .catch((err: unknown) => {
        if (!stale()) this.emit('controllerError', `reconcile failed: ${String(err)}`);
      })
      .finally(() => {
        if (stale() || round >= 5 || (round > 0 && pending.length === 0)) return;
        this.reconcileTimer = setTimeout(
          () => {
            if (!stale()) this.reconcileAll(streamId, round + 1);
          },
          1000 * 2 ** round,
        );
        this.reconcileTimer.unref();
      });
  }

  /** Unregisters the framework; its tasks are killed. */
  teardown(): Promise<void> {
    return this.unary((cb) => this.client.Teardown({ header: this.header() }, cb));
  }
}
