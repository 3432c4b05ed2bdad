/**
 * The offers a framework holds: received and not yet accepted, declined or rescinded.
 * An offer held is an agent's resources no other framework can use, so a framework must
 * never sit on one; the client uses this ledger to give back what a handler forgot, once
 * it has been held for the hold limit.
 */

/** Settings for {@link OfferLedger}. */
export interface OfferLedgerOptions {
  /** Give back offers held this long (ms); undefined or 0: never. */
  holdLimitMs?: number;
  /** Gives offers back (declines them); must not throw. */
  release(ids: string[], reason: string): void;
  /** The time in ms (default Date.now). */
  now?: () => number;
}

/** Offers in hand, by ID, with when each arrived (ms). */
export class OfferLedger {
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OfferLedgerOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Offers just received. */
  received(ids: readonly string[]): void {
    const now = this.now();
    for (const id of ids) this.held.set(id, now);
    this.arm();
  }

  /** Offers answered (accepted or declined) or rescinded: no longer ours. */
  settled(ids: readonly string[]): void {
    for (const id of ids) this.held.delete(id);
  }

  /** Forgets everything held (a new subscription voids the old one's offers; close). */
  clear(): void {
    this.held.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** How many offers are held. */
  get size(): number {
    return this.held.size;
  }

  /** Offers held for the hold limit or longer now; they are settled by this call. */
  expired(): string[] {
    const limit = this.opts.holdLimitMs ?? 0;
    if (limit <= 0) return [];
    const now = this.now();
    const out: string[] = [];
    for (const [id, at] of this.held) if (now - at >= limit) out.push(id);
    this.settled(out);
    return out;
  }

  // One timer, for the oldest offer held.
  private arm(): void {
    const limit = this.opts.holdLimitMs ?? 0;
    if (limit <= 0 || this.timer || this.held.size === 0) return;
    const oldest = Math.min(...this.held.values());
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const ids = this.expired();
        if (ids.length > 0) this.opts.release(ids, `held over the ${limit} ms offer hold limit`);
        this.arm();
      },
      Math.max(0, oldest + limit - this.now()),
    );
    this.timer.unref();
  }
}
