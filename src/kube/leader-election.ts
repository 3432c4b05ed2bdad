/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics: a
 * candidate takes the lease when it is free or its holder has not renewed for the lease
 * duration (as observed on the candidate's own clock, so clock skew between replicas does
 * not matter); the leader renews every retry period and steps down if it cannot renew
 * within the renew deadline. Writes carry the lease's resourceVersion, so of two
 * candidates racing, the apiserver lets exactly one win. The leader's address is kept in
 * an annotation so that standbys can tell clients where the leader is.
 */
import * as k8s from '@kubernetes/client-node';
import { LEADER_ADDRESS_ANNOTATION } from './lease-annotations.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

// The Lease annotations naming the leader's addresses (their own module, for readers that
// should not load the Kubernetes client).
export { LEADER_ADDRESS_ANNOTATION, LEADER_HTTP_ANNOTATION } from './lease-annotations.js';

/** Settings for {@link LeaderElector}. */
export interface LeaderElectionOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  leaseName: string;
  /** Unique per candidate, e.g. the pod name. */
  identity: string;
  /** Where this candidate serves clients when it leads (host:port). */
  address: string;
  /** More annotations the leader keeps on the Lease (e.g. its HTTP address). */
  annotations?: Record<string, string>;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  clock: Clock;
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  /**
   * Called whenever the observed leader changes (including to this candidate), with the
   * annotations it keeps on the Lease (its HTTP address, for a standby's redirect).
   */
  onNewLeader?: (identity: string, address: string, annotations: Record<string, string>) => void;
}

/** How many read-and-write rounds a release tries before giving up on a conflicting lease. */
const RELEASE_TRIES = 3;

function isApiError(err: unknown, code: number): boolean {
  return err instanceof k8s.ApiException && err.code === code;
}

/** One candidate in a Lease election. */
export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private leading = false;
  private running = false;
  private timer: Timer | undefined;
  /** The acquire-or-renew attempt under way, if any. */
  private attempt: Promise<void> | undefined;
  /** Whether the last attempt wrote the lease as its holder. */
  private lastAttemptHeld = false;
  private observedRecord: { holder: string; renewTime: string; transitions: number } | undefined;
  /** Local time at which observedRecord last changed. */
  private observedAt = 0;
  private lastRenewOk = 0;
  private currentLeader = { identity: '', address: '' };

  constructor(private readonly opts: LeaderElectionOptions) {
    if (opts.renewDeadlineMs >= opts.leaseDurationMs) {
      throw new RangeError('renewDeadline must be shorter than leaseDuration');
    }
    this.api = opts.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  }

  private leaderAnnotations(): Record<string, string> {
    return { ...this.opts.annotations, [LEADER_ADDRESS_ANNOTATION]: this.opts.address };
  }

  /** Whether this candidate holds the lease now. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The leader last observed (empty strings when none is known). */
  get leader(): { identity: string; address: string } {
    return { ...this.currentLeader };
  }

  /** Starts campaigning. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /**
   * Stops campaigning. A leader releases the lease (holder cleared) so a standby can take
   * over at once instead of waiting out the lease duration. An attempt already under way
   * is waited for first: its write could otherwise land after the release and take the
   * lease back, or change the lease's version under the release so the release is refused.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.attempt;
    if (this.leading || this.lastAttemptHeld) {
      await this.release().catch((err: unknown) => {
        this.opts.logger.warn('could not release lease', { error: String(err) });
      });
    }
    this.stepDown();
  }

  private tick(): void {
    if (!this.running) return;
    this.attempt = this.tryAcquireOrRenew().then(
      (ok) => {
        this.lastAttemptHeld = ok;
        this.afterAttempt(ok);
      },
      (err: unknown) => {
        this.lastAttemptHeld = false;
        this.opts.logger.warn('lease attempt failed', {
          lease: this.opts.leaseName,
          error: String(err),
        });
        this.afterAttempt(false);
      },
    );
  }

  private afterAttempt(ok: boolean): void {
    if (!this.running) return;
    const now = this.opts.clock.now();
    if (ok) {
      this.lastRenewOk = now;
      if (!this.leading) {
        this.leading = true;
        this.opts.logger.info('became leader', {
          lease: this.opts.leaseName,
          identity: this.opts.identity,
        });
        this.opts.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenewOk >= this.opts.renewDeadlineMs) {
      this.opts.logger.warn('failed to renew lease within the deadline; stepping down', {
        lease: this.opts.leaseName,
      });
      this.stepDown();
    }
    this.timer = this.opts.clock.setTimer(this.opts.retryPeriodMs, () => {
      this.tick();
    });
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.opts.onStoppedLeading();
  }

  private noteLeader(
    identity: string,
    address: string,
    annotations: Record<string, string> = this.leaderAnnotations(),
  ): void {
    if (identity === this.currentLeader.identity && address === this.currentLeader.address) return;
    this.currentLeader = { identity, address };
    this.opts.onNewLeader?.(identity, address, annotations);
  }

  private spec(now: number, previous: k8s.V1LeaseSpec | undefined): k8s.V1LeaseSpec {
    const sameHolder = previous?.holderIdentity === this.opts.identity;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.opts.leaseDurationMs / 1000),
      acquireTime:
        sameHolder && previous.acquireTime ? previous.acquireTime : new k8s.V1MicroTime(now),
      renewTime: new k8s.V1MicroTime(now),
      leaseTransitions:
        (previous?.leaseTransitions ?? 0) + (sameHolder || !previous?.holderIdentity ? 0 : 1),
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name } = this.opts;
    const now = this.opts.clock.now();
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: {
              name,
              namespace,
              annotations: this.leaderAnnotations(),
            },
            spec: this.spec(now, undefined),
          },
        });
      } catch (createErr) {
        if (isApiError(createErr, 409)) return false; // another candidate created it first
        throw createErr;
      }
      this.noteLeader(this.opts.identity, this.opts.address);
      return true;
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = {
      holder,
      renewTime: spec.renewTime ? new Date(spec.renewTime).toISOString() : '',
      transitions: spec.leaseTransitions ?? 0,
    };
    const changed =
      !this.observedRecord ||
      this.observedRecord.holder !== record.holder ||
      this.observedRecord.renewTime !== record.renewTime ||
      this.observedRecord.transitions !== record.transitions;
    if (changed) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    const notes = lease.metadata?.annotations ?? {};
    this.noteLeader(holder, notes[LEADER_ADDRESS_ANNOTATION] ?? '', notes);

    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const heldByOther = holder !== '' && holder !== this.opts.identity;
    if (heldByOther && this.observedAt + durationMs > now) return false;

    lease.spec = this.spec(now, spec);
    const meta = lease.metadata ?? {};
    meta.annotations = { ...meta.annotations, ...this.leaderAnnotations() };
    lease.metadata = meta;
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (err) {
      if (isApiError(err, 409)) return false; // lost the race; observe again next period
      throw err;
    }
    this.noteLeader(this.opts.identity, this.opts.address);
    return true;
  }

  /**
   * Clears the holder if this candidate still holds the lease. A conflict means another
   * writer changed the lease between the read and the write (a standby taking a lease it
   * saw lapse, or an operator's edit), so it reads again; a few tries bound the exit.
   */
  private async release(): Promise<void> {
    const { namespace, leaseName: name } = this.opts;
    for (let tries = 1; ; tries++) {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec.holderIdentity = '';
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = new k8s.V1MicroTime(this.opts.clock.now());
      try {
        await this.api.replaceNamespacedLease({ name, namespace, body: lease });
        return;
      } catch (err) {
        if (!isApiError(err, 409) || tries >= RELEASE_TRIES) throw err;
      }
    }
  }
}
