/**
 * Outstanding offers. Each offer holds resources the allocator has set aside for one
 * framework on one agent until the framework accepts or declines it, the offer times
 * out, or the controller rescinds it (agent lost, framework gone). Whatever is not used
 * goes back to the allocator through `recover`.
 */
import { randomUUID } from 'node:crypto';
import type { Resources } from '../allocator/index.js';
import type { Clock } from '../shared/clock.js';
import type { OfferRecord } from './records.js';

/** Called when an offer leaves the book without being accepted. */
export type OfferRecovery = (
  offer: OfferRecord,
  reason: 'timeout' | 'rescind',
  filterSeconds?: number,
) => void;

/** The book of outstanding offers. */
export class OfferBook {
  private readonly offers = new Map<string, OfferRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly onExpire: OfferRecovery,
  ) {}

  /** Records a new offer; it expires after the offer timeout. */
  add(frameworkId: string, agentId: string, role: string, resources: Resources): OfferRecord {
    const id = `offer-${randomUUID()}`;
    const offer: OfferRecord = {
      id,
      frameworkId,
      agentId,
      role,
      resources,
      timer: this.clock.setTimer(this.timeoutMs, () => {
        if (this.offers.delete(id)) this.onExpire(offer, 'timeout');
      }),
    };
    this.offers.set(id, offer);
    return offer;
  }

  /** The offer, if outstanding. */
  get(id: string): OfferRecord | undefined {
    return this.offers.get(id);
  }

  /** Removes an offer (accepted, declined or rescinded); returns it if it was there. */
  take(id: string): OfferRecord | undefined {
    const o = this.offers.get(id);
    if (!o) return undefined;
    o.timer.cancel();
    this.offers.delete(id);
    return o;
  }

  /** Offers matching a predicate (e.g. all of one agent or framework). */
  filter(pred: (o: OfferRecord) => boolean): OfferRecord[] {
    return [...this.offers.values()].filter(pred);
  }

  /** All outstanding offers. */
  all(): OfferRecord[] {
    return [...this.offers.values()];
  }

  /** How many are outstanding. */
  get size(): number {
    return this.offers.size;
  }
}
