/**
 * When the default framework places: one round for everything that came meanwhile (a
 * burst of Task objects, a batch of offers), on the offers it holds (offer-pool.ts), and
 * each offer left unused given back after the hold time.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import type { SchedulerClient } from '../../sdk/scheduler-client.js';
import type { Clock } from '../../shared/clock.js';
import { OfferPool } from './offer-pool.js';
import { IDLE_REFUSE_SECONDS, RETRY_REFUSE_SECONDS, type HeldOffers } from './placing.js';

/** What the rounds need from the framework. */
export interface RoundsDeps {
  clock: Clock;
  /** How long an offer is held unused (ms). */
  holdMs: number;
  client: Pick<SchedulerClient, 'decline' | 'revive'>;
  /** How many objects wait now. */
  waiting(): number;
  /** Places what waits on `offers`, which the framework holds (`placeTasks` with `held`). */
  place(offers: Offer__Output[], held: HeldOffers): Promise<void>;
  /** After each round: tells the controller whether offers are still wanted. */
  settle(): Promise<void>;
  /** Reports a failure; must not throw. */
  warn(what: string, err: unknown, fields?: Record<string, unknown>): void;
}

/** The framework's rounds and the offers held between them. */
export class Rounds {
  private readonly pool: OfferPool;
  /** A round is due: objects or offers came since the last one began. */
  private due = false;
  /** When a round last placed an object. */
  private placedAt = -Infinity;

  constructor(private readonly d: RoundsDeps) {
    this.pool = new OfferPool({
      clock: d.clock,
      holdMs: d.holdMs,
      expire: (ids) => this.giveBack(ids),
    });
  }

  /** Offers just received: held, and a round soon. */
  offered(offers: readonly Offer__Output[]): void {
    this.pool.add(offers);
    this.soon();
  }

  /** Offers no longer ours (rescinded, or declined by the client itself). */
  drop(ids: readonly string[]): void {
    this.pool.drop(ids);
  }

  /** Forgets every offer held (a new subscription voids them; stop). */
  clear(): void {
    this.pool.clear();
  }

  /** An object was placed (a round claimed it). */
  placed(): void {
    this.placedAt = this.d.clock.now();
  }

  /** Runs a round soon: one for everything that comes before it starts. */
  soon(): void {
    if (this.due) return;
    this.due = true;
    this.d.clock.setTimer(0, () => {
      this.due = false;
      this.round().catch((err: unknown) => {
        this.d.warn('placing tasks failed', err);
      });
    });
  }

  // What waits, on the offers held; then offers are wanted only if something still waits.
  private async round(): Promise<void> {
    if (this.d.waiting() > 0 && this.pool.size > 0) {
      await this.d.place(this.pool.offers(), {
        matcherOf: (o) => this.pool.matcherOf(o),
        used: (ids) => this.pool.drop(ids),
      });
    } else if (this.d.waiting() > 0) {
      // Objects came and nothing is held: ask for offers now (a REVIVE also lifts the
      // filters of what was given back), not at the next periodic pass, up to an
      // allocation interval later, after the filter lapsed. A failed one is retried by
      // the next round; whether offers are wanted is still settled below.
      await this.d.client.revive().catch((err: unknown) => {
        this.d.warn('reviving offers failed', err);
      });
    }
    await this.d.settle();
  }

  /**
   * Declines offers held unused for the hold time: with a short filter while objects wait
   * or came lately (the agents come back in the next allocation pass), a longer one when
   * the framework has gone quiet.
   */
  private giveBack(ids: string[]): void {
    const busy = this.d.waiting() > 0 || this.d.clock.now() - this.placedAt < this.d.holdMs * 2;
    this.d.client
      .decline(ids, busy ? RETRY_REFUSE_SECONDS : IDLE_REFUSE_SECONDS)
      .catch((err: unknown) => {
        this.d.warn('declining held offers failed', err, { offers: ids.length });
      });
  }
}
