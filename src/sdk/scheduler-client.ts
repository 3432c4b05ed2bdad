/**
 * A framework's client for the scheduler API: subscribes, keeps the subscription alive
 * (resubscribing with its framework ID after a disconnect or controller restart, with
 * backoff and jitter), reconciles its tasks after every subscription (and periodically
 * when asked), delivers typed events, acknowledges status updates automatically unless
 * told not to, gives back offers nobody answers, and wraps every call with the framework
 * and stream IDs.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { schedulerProto } from '../shared/proto.js';
import { CLIENT_OPTIONS } from '../shared/grpc.js';
import { MAX_BATCH_BYTES } from '../shared/stream-outbox.js';
import { authenticatedOptions } from '../auth/grpc-client.js';
import { withServerName } from '../shared/tls/credentials.js';
import { Backoff } from '../kube/backoff.js';
import type { SchedulerClient as GrpcSchedulerClient } from '../gen/mezzo/v1/Scheduler.js';
import type { Event__Output } from '../gen/mezzo/v1/Event.js';
import type { Offer__Output } from '../gen/mezzo/v1/Offer.js';
import type { Operation } from '../gen/mezzo/v1/Operation.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import { OfferLedger } from './offer-ledger.js';
import { OfferWish } from './offer-wish.js';
import { Reconciliation, type TaskRef } from './reconciliation.js';
import type { SchedulerClientOptions, SchedulerEvents } from './client-types.js';

export type { SchedulerClientOptions, SchedulerEvents } from './client-types.js';

/** Refuse filter (s) on offers the client gives back by itself. */
export const RELEASE_REFUSE_SECONDS = 5;

/**
 * How long one Suppress or Revive of {@link SchedulerClient.wantOffers} may take: they
 * go one at a time, so one that never returned would hold every later wish.
 */
const WISH_DEADLINE_MS = 10_000;

function callOptions(deadlineMs: number | undefined): grpc.CallOptions {
  return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
}

/** The framework client. */
export class SchedulerClient extends EventEmitter<SchedulerEvents> {
  private readonly clients: GrpcSchedulerClient[];
  private current = 0;
  /** Whether the framework wants offers, told until it holds (see {@link wantOffers}). */
  private readonly wish: OfferWish;
  /** Roles set by {@link updateRoles}, overriding the FrameworkInfo's. */
  private roles: string[] | undefined;
  private frameworkId = '';
  private streamId = '';
  private call: grpc.ClientReadableStream<Event__Output> | undefined;
  private closed = false;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly reconciliation: Reconciliation;
  private readonly offers: OfferLedger;

  constructor(private readonly opts: SchedulerClientOptions) {
    super();
    const proto = schedulerProto();
    const addresses = typeof opts.address === 'string' ? [opts.address] : [...opts.address];
    if (addresses.length === 0) throw new RangeError('SchedulerClient needs a controller address');
    this.clients = addresses.map(
      (a) =>
        new proto.mezzo.v1.Scheduler(
          a,
          opts.ca
            ? grpc.credentials.createSsl(Buffer.from(opts.ca))
            : grpc.credentials.createInsecure(),
          authenticatedOptions(withServerName(CLIENT_OPTIONS, opts.serverName), {
            address: a,
            ...(opts.token ? { token: opts.token } : {}),
            ...(opts.tokenFile ? { tokenFile: opts.tokenFile } : {}),
          }),
        ),
    );
    this.backoff = opts.backoff ?? new Backoff({ initialMs: 100, maxMs: 5_000 });
    this.frameworkId = opts.framework.id ?? '';
    this.reconciliation = new Reconciliation({
      send: (tasks) => this.reconcile(tasks),
      ...(opts.knownTasks ? { knownTasks: opts.knownTasks } : {}),
      ...(opts.reconcileIntervalMs !== undefined ? { intervalMs: opts.reconcileIntervalMs } : {}),
      onError: (message) => {
        this.emit('controllerError', message);
      },
    });
    this.wish = new OfferWish({
      send: (want) =>
        want ? this.revive([], WISH_DEADLINE_MS) : this.suppress([], WISH_DEADLINE_MS),
      stream: () => (this.connected ? this.streamId : ''),
      onError: (message) => {
        this.emit('controllerError', message);
      },
    });
    this.offers = new OfferLedger({
      ...(opts.offerHoldLimitMs !== undefined ? { holdLimitMs: opts.offerHoldLimitMs } : {}),
      release: (ids, reason) => {
        this.release(ids, reason);
      },
    });
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
    this.offers.clear();
    this.reconciliation.stop();
    this.wish.close();
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
      // Events written during one turn of a busy controller come as one message.
      max_batch_bytes: MAX_BATCH_BYTES,
    });
    this.call = call;
    call.on('data', (e: Event__Output) => {
      this.onEvent(e);
    });
    const ended = (reason: string) => {
      if (this.call !== call) return;
      this.call = undefined;
      this.streamId = '';
      this.reconciliation.stop();
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
      // A removed framework's ID is refused for good: retrying would only repeat it.
      if (err.code === grpc.status.FAILED_PRECONDITION) this.closed = true;
      ended(err.details || err.message);
    });
    call.on('end', () => {
      ended('stream ended');
    });
  }

  private onEvent(e: Event__Output, inBatch = false): void {
    switch (e.type) {
      case 'BATCH':
        if (inBatch) {
          // The protocol never nests them; one that does is not the controller's.
          this.emit('controllerError', 'a batch inside a batch was ignored');
          break;
        }
        for (const inner of e.batch?.events ?? []) this.onEvent(inner, true);
        break;
      case 'SUBSCRIBED':
        this.frameworkId = e.subscribed?.framework_id ?? '';
        this.streamId = e.subscribed?.stream_id ?? '';
        this.backoff.reset();
        // Offers of an earlier subscription are void; so are its reconciliation rounds.
        this.offers.clear();
        this.reconciliation.start(this.opts.reconcileOnSubscribe !== false);
        this.emit('subscribed', this.frameworkId);
        // A new controller, or the same one after a failover, may hold either state.
        this.wish.resync().catch((err: unknown) => {
          this.emit('controllerError', `suppress/revive failed: ${String(err)}`);
        });
        break;
      case 'OFFERS':
        this.onOffers(e.offers?.offers ?? []);
        break;
      case 'RESCIND':
        this.offers.settled([e.rescind?.offer_id ?? '']);
        this.emit('rescind', e.rescind?.offer_id ?? '');
        break;
      case 'UPDATE': {
        const status = e.update?.status;
        if (!status) break;
        this.reconciliation.answered(status.task_id);
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

  private onOffers(offers: Offer__Output[]): void {
    const ids = offers.map((o) => o.id);
    if (this.listenerCount('offers') === 0) {
      // Nobody would ever answer them.
      this.release(ids, 'no offers handler');
      return;
    }
    this.offers.received(ids);
    this.emit('offers', offers);
  }

  // Declines offers the framework did not answer; reports, never throws.
  private release(ids: string[], reason: string): void {
    if (ids.length === 0) return;
    this.emit('released', ids, reason);
    this.decline(ids, RELEASE_REFUSE_SECONDS).catch(() => undefined);
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

  /**
   * Accepts offers with operations; unused resources are refused for `refuseSeconds`.
   * When the controller rejects the call (an invalid operation) the offers stay
   * outstanding, to accept again with corrected operations — or, with
   * `declineRejectedAccepts`, are declined with the same filter before the promise
   * rejects, as Mesos consumes the offers of any accept: a framework that retries a bad
   * launch then cannot sit on the agent meanwhile.
   */
  async accept(offerIds: string[], operations: Operation[], refuseSeconds?: number): Promise<void> {
    // Not held while the answer is awaited: the hold limit must not decline them under it.
    this.offers.settled(offerIds);
    try {
      await this.unary((cb) =>
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
    } catch (err) {
      // NOT_FOUND: the offers are gone already (rescinded, timed out, or another stream).
      if ((err as Partial<grpc.ServiceError>).code !== grpc.status.NOT_FOUND) {
        if (this.opts.declineRejectedAccepts === true) {
          this.emit('released', offerIds, 'the accept was rejected');
          await this.decline(offerIds, refuseSeconds ?? RELEASE_REFUSE_SECONDS).catch(
            () => undefined,
          );
        } else {
          this.offers.received(offerIds); // still ours: held again
        }
      }
      throw err;
    }
  }

  /** Declines offers; they are not re-offered to this framework for `refuseSeconds`. */
  decline(offerIds: string[], refuseSeconds?: number): Promise<void> {
    this.offers.settled(offerIds);
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

  /**
   * Asks for offers again (clears filters and suppression). With `deadlineMs`, the call
   * fails with DEADLINE_EXCEEDED past it, and the controller then does not apply it.
   */
  revive(roles: string[] = [], deadlineMs?: number): Promise<void> {
    return this.unary((cb) =>
      this.client.Revive({ header: this.header(), roles }, callOptions(deadlineMs), cb),
    );
  }

  /**
   * Offers only while there is work: suppresses when `want` turns false and revives (which
   * also clears refuse filters) when it turns true, sending nothing when it did not change.
   * One call at a time, each telling the newest wish; a failed one rejects and is retried
   * with backoff (offer-wish.ts). The wish outlives the subscription: after every
   * resubscription it is told again, since a new controller starts unsuppressed and the
   * same one keeps what it was told.
   */
  wantOffers(want: boolean): Promise<void> {
    return this.wish.want(want);
  }

  /** Stops offers for the roles until revive; `deadlineMs` as for {@link revive}. */
  suppress(roles: string[] = [], deadlineMs?: number): Promise<void> {
    return this.unary((cb) =>
      this.client.Suppress({ header: this.header(), roles }, callOptions(deadlineMs), cb),
    );
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
  reconcile(tasks: TaskRef[] = []): Promise<void> {
    return this.unary((cb) => this.client.Reconcile({ header: this.header(), tasks }, cb));
  }

  /** How many offers the framework holds unanswered (for tests and metrics). */
  get heldOffers(): number {
    return this.offers.size;
  }

  /** Unregisters the framework; its tasks are killed. */
  teardown(): Promise<void> {
    return this.unary((cb) => this.client.Teardown({ header: this.header() }, cb));
  }
}
