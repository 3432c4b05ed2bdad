/**
 * The offer cycle, the allocation half of the Mesos master: the allocator, the offers it
 * made that are still outstanding, the log of its decisions, and when it runs — every
 * allocation interval (a full pass) and soon after anything the allocator marked as
 * changed (one incremental pass for everything marked meanwhile). What a framework
 * declines waits under its filter for the next periodic pass, and so does an agent whose
 * filter lapsed, as in Mesos; what is given back otherwise (rescinded, timed out) is
 * offered again at once.
 */
import { HierarchicalAllocator, type OfferedResources } from '../allocator/index.js';
import type { Clock } from '../shared/clock.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Event } from '../gen/mezzo/v1/Event.js';
import { OfferBook } from './offer-book.js';
import { DecisionLog } from './decisions.js';
import { OfferAllowance } from './offer-allowance.js';
import type { ControllerMetrics } from './metrics.js';
import type { OfferRecord } from './records.js';

/** What the offer cycle needs from the controller around it. */
export interface OfferCycleOptions {
  clock: Clock;
  metrics: MetricsRegistry;
  m: ControllerMetrics;
  allocationIntervalMs: number;
  offerTimeoutMs: number;
  /** Offers one framework gets in one pass at most (0: no bound). */
  maxOffersPerFrameworkPerPass: number;
  /** Whether each framework's offers a pass follow the offers it used (offer-allowance.ts). */
  adaptiveOffers: boolean;
  /** The frameworks known now, for the decision log's hold-backs after each pass. */
  frameworkIds: () => Iterable<string>;
  /** Turns one pass's offers to a framework into offer records and an OFFERS event. */
  sendOffers: (frameworkId: string, offers: OfferedResources[]) => void;
  /** Writes an event to a framework's stream if it is connected. */
  sendTo: (frameworkId: string, event: Event) => void;
}

/** The allocator and its offers, and when allocation passes run. */
export class OfferCycle {
  readonly allocator: HierarchicalAllocator;
  /** Offers made and not yet answered, rescinded or timed out. */
  readonly offers: OfferBook;
  /** The allocator's recent decisions per framework, for the dashboard. */
  readonly decisions: DecisionLog;
  /** Per-framework offer bounds from the offers each used (with `adaptiveOffers`). */
  readonly allowance: OfferAllowance | undefined;
  private scheduled = false;
  private periodic: { cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly o: OfferCycleOptions) {
    this.decisions = new DecisionLog(o.clock);
    this.offers = new OfferBook(o.clock, o.offerTimeoutMs, (offer, reason) => {
      o.m.offers.inc({ result: reason === 'timeout' ? 'timed_out' : 'rescinded' });
      o.sendTo(offer.frameworkId, { type: 'RESCIND', rescind: { offer_id: offer.id } });
      this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources);
    });
    this.allocator = new HierarchicalAllocator({
      clock: o.clock,
      metrics: o.metrics,
      maxOffersPerFrameworkPerPass: o.maxOffersPerFrameworkPerPass,
      offerCallback: (frameworkId, offers) => {
        this.allowance?.offered(frameworkId, offers.length);
        o.sendOffers(frameworkId, offers);
      },
    });
    const allocator = this.allocator;
    this.allowance = o.adaptiveOffers
      ? new OfferAllowance((frameworkId, bound) => {
          allocator.setOfferBound(frameworkId, bound);
        })
      : undefined;
    this.allocator.onWorkPending = () => {
      this.schedule();
    };
  }

  /** Starts the periodic full pass. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.run(true);
      this.periodic = this.o.clock.setTimer(this.o.allocationIntervalMs, tick);
    };
    this.periodic = this.o.clock.setTimer(this.o.allocationIntervalMs, tick);
  }

  /** Stops every timer and drops the outstanding offers (the streams are closing). */
  stop(): void {
    this.stopped = true;
    this.periodic?.cancel();
    for (const offer of this.offers.all()) this.offers.take(offer.id);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.o.clock.setTimer(0, () => {
      this.scheduled = false;
      this.run(false);
    });
  }

  private run(full: boolean): void {
    const start = performance.now();
    if (full) {
      this.allowance?.beforePass();
      this.allocator.allocate();
    } else this.allocator.runPending();
    this.decisions.afterPass(this.allocator, this.o.frameworkIds());
    this.o.m.allocationSeconds.observe((performance.now() - start) / 1000);
  }

  /**
   * Returns an offer's resources to the allocator: declined, with the framework's refuse
   * filter (offered again by the next periodic pass), or rescinded, without one (offered
   * again at once).
   */
  recoverOffer(offer: OfferRecord, refuseSeconds?: number): void {
    if (refuseSeconds === undefined) {
      this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources);
      return;
    }
    this.decisions.declined(
      offer.frameworkId,
      offer.agentId,
      offer.role,
      offer.resources,
      refuseSeconds,
    );
    this.declineResources(offer.frameworkId, offer.agentId, offer.resources, refuseSeconds);
  }

  /**
   * Returns resources a framework turned down under its refuse filter: offered again by
   * the next periodic pass (to the decliner once its filter lapsed).
   */
  declineResources(...args: Parameters<HierarchicalAllocator['declineResources']>): void {
    this.allocator.declineResources(...args);
  }

  /**
   * A framework answered `offers` offers, using them (launching something) or not; with
   * `adaptiveOffers`, the ones used count towards its next allowance.
   */
  answered(frameworkId: string, used: boolean, offers: number): void {
    if (used) this.allowance?.used(frameworkId, offers);
  }

  /** Resumes offers for the roles (all when omitted): filters cleared, allowance raised. */
  revive(frameworkId: string, roles?: string[]): void {
    this.allocator.reviveOffers(frameworkId, roles);
    this.allowance?.revived(frameworkId);
  }

  /** Adds a framework to the allocator, with its first offer allowance. */
  addFramework(...args: Parameters<HierarchicalAllocator['addFramework']>): void {
    this.allocator.addFramework(...args);
    this.allowance?.added(args[0]);
  }

  /** Removes a framework from the allocator (all it held returns) and its allowance. */
  removeFramework(frameworkId: string): void {
    this.allocator.removeFramework(frameworkId);
    this.allowance?.removed(frameworkId);
  }

  /** Rescinds these offers (those of an agent lost, of a framework gone). */
  rescind(offers: readonly OfferRecord[]): void {
    for (const offer of offers) {
      this.offers.take(offer.id);
      this.o.m.offers.inc({ result: 'rescinded' });
      this.o.sendTo(offer.frameworkId, { type: 'RESCIND', rescind: { offer_id: offer.id } });
      this.recoverOffer(offer);
    }
  }
}
