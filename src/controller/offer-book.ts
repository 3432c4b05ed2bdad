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

/** The book of outstanding offers, indexed by agent and by framework. */
export class OfferBook {
  private readonly offers = new Map<string, OfferRecord>();
  // An agent lost or a framework removed finds its offers without a walk over all of
  // them: with 50,000 agents going unreachable that walk made the loss quadratic.
  private readonly byAgent = new Map<string, Set<OfferRecord>>();
  private readonly byFramework = new Map<string, Set<OfferRecord>>();

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
        if (this.remove(offer)) this.onExpire(offer, 'timeout');
      }),
    };
    this.offers.set(id, offer);
    index(this.byAgent, agentId, offer);
    index(this.byFramework, frameworkId, offer);
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
    this.remove(o);
    return o;
  }

  /** The outstanding offers of one agent. */
  ofAgent(agentId: string): OfferRecord[] {
    return [...(this.byAgent.get(agentId) ?? [])];
  }

  /** The outstanding offers to one framework. */
  ofFramework(frameworkId: string): OfferRecord[] {
    return [...(this.byFramework.get(frameworkId) ?? [])];
  }

  private remove(o: OfferRecord): boolean {
    if (!this.offers.delete(o.id)) return false;
    unindex(this.byAgent, o.agentId, o);
    unindex(this.byFramework, o.frameworkId, o);
    return true;
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

function index(m: Map<string, Set<OfferRecord>>, key: string, o: OfferRecord): void {
  let set = m.get(key);
  if (!set) m.set(key, (set = new Set()));
  set.add(o);
}

function unindex(m: Map<string, Set<OfferRecord>>, key: string, o: OfferRecord): void {
  const set = m.get(key);
  if (!set) return;
  set.delete(o);
  if (set.size === 0) m.delete(key);
}
