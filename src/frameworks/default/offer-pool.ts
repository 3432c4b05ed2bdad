/**
 * The offers the default framework holds between rounds. Declining every offer a round
 * left unused, then reviving for the objects that came next, made each round cost an offer
 * for every agent of the cluster however few objects it placed: Task objects arriving
 * over time (a `kubectl apply` of thousands) came in rounds of about 50, each paying for
 * 1,000 offers (docs/performance.md, "Session 12"). Held, an unused offer serves the next
 * object the moment it arrives, and only the agents that got a task are offered again
 * (what their launch left).
 *
 * An offer held is resources no other framework can get, so none is held longer than
 * the hold time: then it is given back (declined). Each offer's matcher is kept with it,
 * so a round does not parse every held offer again; a round only takes resources from
 * the offers it launches on, and those leave the pool.
 */
import type { Offer__Output } from '../../gen/mezzo/v1/Offer.js';
import { OfferMatcher } from '../../sdk/offers.js';
import type { Clock, Timer } from '../../shared/clock.js';

/** What the pool needs. */
export interface OfferPoolOptions {
  clock: Clock;
  /** How long an offer is held unused before it is given back (ms). */
  holdMs: number;
  /** Gives back offers held for the hold time; must not throw. */
  expire(ids: string[]): void;
}

interface Held {
  matcher: OfferMatcher;
  since: number;
}

/** Offers in hand, each with its matcher and when it came. */
export class OfferPool {
  private readonly held = new Map<string, Held>();
  private timer: Timer | undefined;
  private timerAt = Infinity;

  constructor(private readonly opts: OfferPoolOptions) {}

  /** Offers just received. */
  add(offers: readonly Offer__Output[]): void {
    const now = this.opts.clock.now();
    for (const o of offers) this.held.set(o.id, { matcher: new OfferMatcher(o), since: now });
    this.arm(now + this.opts.holdMs);
  }

  /** The offers held now, oldest first. */
  offers(): Offer__Output[] {
    return [...this.held.values()].map((h) => h.matcher.offer);
  }

  /** The matcher of a held offer (a fresh one for an offer not held). */
  matcherOf(offer: Offer__Output): OfferMatcher {
    return this.held.get(offer.id)?.matcher ?? new OfferMatcher(offer);
  }

  /** Offers no longer ours (launched on, rescinded, declined by the client). */
  drop(ids: readonly string[]): void {
    for (const id of ids) this.held.delete(id);
  }

  /** Forgets everything (a new subscription voids the old one's offers; stop). */
  clear(): void {
    this.held.clear();
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** How many offers are held. */
  get size(): number {
    return this.held.size;
  }

  // One timer, for the oldest offer held.
  private arm(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.opts.clock.setTimer(Math.max(0, at - this.opts.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.expireDue();
    });
  }

  private expireDue(): void {
    const now = this.opts.clock.now();
    const due: string[] = [];
    let next = Infinity;
    for (const [id, h] of this.held) {
      const at = h.since + this.opts.holdMs;
      if (at <= now) due.push(id);
      else next = Math.min(next, at);
    }
    this.drop(due);
    if (next < Infinity) this.arm(next);
    if (due.length > 0) this.opts.expire(due);
  }
}
