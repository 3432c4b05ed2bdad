/**
 * The shapes of the framework client's API: the events it emits and the options it
 * takes (what it reconciles, when it gives back offers, how it reconnects).
 */
import type { Backoff } from '../kube/backoff.js';
import type { FrameworkInfo } from '../gen/mezzo/v1/FrameworkInfo.js';
import type { Offer__Output } from '../gen/mezzo/v1/Offer.js';
import type { TaskStatus__Output } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskRef } from './reconciliation.js';

/** Events a {@link SchedulerClient} emits. */
export interface SchedulerEvents {
  subscribed: [frameworkId: string];
  offers: [offers: Offer__Output[]];
  rescind: [offerId: string];
  update: [status: TaskStatus__Output];
  /** An ERROR event from the controller (e.g. the framework was removed). */
  controllerError: [message: string];
  disconnected: [reason: string];
  /**
   * The client declined offers by itself: nobody listens for offers, a handler held them
   * past `offerHoldLimitMs`, or an accept of them was rejected.
   */
  released: [offerIds: string[], reason: string];
}

/** Options for {@link SchedulerClient}. */
export interface SchedulerClientOptions {
  /**
   * Controller gRPC address (host:port), or the addresses of every controller replica:
   * after a disconnect the client tries the next one, so it follows a leader failover.
   */
  address: string | readonly string[];
  framework: FrameworkInfo;
  /**
   * The bearer token every call carries. Default: `$MEZZO_TOKEN`, else the file
   * {@link tokenFile} (or `$MEZZO_TOKEN_FILE`) names, else the token a local `mezzo dev`
   * registered for the address, else `.mezzo/token`.
   */
  token?: string;
  /** A file holding the token, re-read at every (re)subscription and call. */
  tokenFile?: string;
  /**
   * PEM of the CA that signed the controller's certificate: the client connects over TLS
   * and verifies the controller against it. Absent: plaintext (`mezzo dev` on loopback).
   */
  ca?: string | Buffer;
  /** With {@link ca}: the name the certificate must carry, when it is not the address's host. */
  serverName?: string;
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
  knownTasks?: () => TaskRef[];
  /**
   * Reconcile again this often while subscribed (ms), as after a subscription; default
   * never. Catches updates lost anywhere on the way (Marathon does it every 10 minutes).
   */
  reconcileIntervalMs?: number;
  /**
   * Decline an offer no accept or decline answered within this many ms (default: never).
   * A held offer is resources no other framework gets; this bounds what a handler that
   * forgets an offer (or dies on one) can hold.
   */
  offerHoldLimitMs?: number;
  /**
   * When the controller rejects an accept (an invalid operation), decline its offers
   * before the promise rejects, as Mesos consumes the offers of any accept (default
   * false: the offers stay outstanding, to accept again with corrected operations).
   */
  declineRejectedAccepts?: boolean;
  backoff?: Backoff;
}
