/**
 * How many offers a framework gets in one pass, learned from how it answered the last
 * ones. Mesos offers every free agent, each pass, to whichever framework comes next in
 * fair order; a framework that wants one task is sent hundreds of agents at 50,000 and
 * declines all but one, and 200 such frameworks ask the controller for about 50,000
 * offers a second, five times what it makes (docs/performance.md, "Session 14"). Here a
 * framework starts unbounded; each offer it turns down (declined, an ACCEPT that launched
 * nothing, or left to time out) takes one off its allowance, down to one a pass, and each
 * offer it uses adds two, so a framework using everything it is sent triples its
 * allowance a pass and one using a few settles at about three times what it uses. REVIVE
 * leaves it alone: frameworks that suppress between tasks revive for each one, and would
 * be sent every free agent each time.
 */

/** Where the allowance goes: the allocator's per-framework bound (undefined: none). */
export type SetOfferBound = (frameworkId: string, bound: number | undefined) => void;

/** Per-framework offer allowances. */
export class OfferAllowance {
  /** Frameworks with a bound; absent: unbounded. */
  private readonly allowance = new Map<string, number>();
  /** The size of the last batch of offers each framework was sent. */
  private readonly lastBatch = new Map<string, number>();

  constructor(private readonly setBound: SetOfferBound) {}

  /** A pass sent the framework `count` offers. */
  offered(frameworkId: string, count: number): void {
    this.lastBatch.set(frameworkId, count);
  }

  /** The framework answered `count` offers: it used them (launched something) or not. */
  answered(frameworkId: string, used: boolean, count: number): void {
    if (count <= 0) return;
    const now = this.allowance.get(frameworkId);
    if (used) {
      // Unbounded stays unbounded: it is using what it is sent.
      if (now !== undefined) this.set(frameworkId, now + 2 * count);
      return;
    }
    // An unbounded framework is bounded from what it was just sent.
    const from = now ?? this.lastBatch.get(frameworkId) ?? count;
    this.set(frameworkId, Math.max(1, from - count));
  }

  /** The framework is gone. */
  removed(frameworkId: string): void {
    this.allowance.delete(frameworkId);
    this.lastBatch.delete(frameworkId);
  }

  /** The framework's allowance now (undefined: unbounded). */
  of(frameworkId: string): number | undefined {
    return this.allowance.get(frameworkId);
  }

  private set(frameworkId: string, bound: number): void {
    if (this.allowance.get(frameworkId) === bound) return;
    this.allowance.set(frameworkId, bound);
    this.setBound(frameworkId, bound);
  }
}
