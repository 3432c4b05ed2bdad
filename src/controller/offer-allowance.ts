/**
 * How many agents a framework is offered in one pass, following how many of its offers
 * it used. Mesos offers every free agent, each pass, to whichever framework comes next in
 * fair order; a framework that wants one task is sent hundreds of agents at 50,000 and
 * declines all but one, and 200 such frameworks ask the controller for about 50,000
 * offers a second, five times what it makes (docs/performance.md, "Session 14").
 *
 * Here a framework may be sent {@link FIRST_ALLOWANCE} agents in a pass when it joins.
 * Before each periodic pass its allowance becomes three times the offers it used (an
 * ACCEPT that launched something) since the last one, at least
 * {@link LEAST_ALLOWANCE}, unless it was sent nothing and used nothing meanwhile; a
 * framework that used as many as it was allowed may want more, so its allowance at least
 * triples. Declines are not counted: a framework that
 * holds offers and turns many down while it uses many (the built-in default framework)
 * keeps a large allowance. REVIVE raises it (never lowers it) to three times what the
 * framework used after its previous REVIVE, or to the first allowance on its first REVIVE
 * and after one whose offers it did not use, at most the first allowance: a framework that
 * suppresses between tasks revives for each one, and sent 16 agents for each it declined
 * 15 (docs/performance.md, "Session 16"). The first allowance is bounded so that
 * frameworks joining together (after a controller failover) are not each sent a share of
 * every agent.
 */

/** Agents a framework may be offered in one pass when it joins. */
export const FIRST_ALLOWANCE = 16;
/** Agents a framework may always be offered in one pass, however few it used. */
export const LEAST_ALLOWANCE = 2;
/** How many times what it used (or, having used all, what it was allowed) it is allowed next. */
const GROWTH = 3;

/** Where the allowance goes: the allocator's per-framework bound. */
export type SetOfferBound = (frameworkId: string, bound: number) => void;

/** Per-framework offer allowances. */
export class OfferAllowance {
  private readonly frameworks = new Map<
    string,
    {
      allowance: number;
      /** Offers sent since the last periodic pass. */
      offered: number;
      /** Offers used since the last periodic pass. */
      used: number;
      /** Offers used since the last REVIVE; undefined before the first. */
      usedSinceRevive: number | undefined;
    }
  >();

  constructor(private readonly setBound: SetOfferBound) {}

  /** A framework joined (subscribed anew, or again after a controller failover). */
  added(frameworkId: string): void {
    this.frameworks.set(frameworkId, {
      allowance: FIRST_ALLOWANCE,
      offered: 0,
      used: 0,
      usedSinceRevive: undefined,
    });
    this.setBound(frameworkId, FIRST_ALLOWANCE);
  }

  /** A pass sent the framework `count` offers. */
  offered(frameworkId: string, count: number): void {
    const f = this.frameworks.get(frameworkId);
    if (f) f.offered += count;
  }

  /** The framework used `count` offers (an ACCEPT of them launched something). */
  used(frameworkId: string, count: number): void {
    const f = this.frameworks.get(frameworkId);
    if (!f) return;
    f.used += count;
    if (f.usedSinceRevive !== undefined) f.usedSinceRevive += count;
  }

  /**
   * A periodic pass is about to run: each allowance follows what was used since the last.
   * A framework sent nothing and using nothing since then keeps its allowance: nothing
   * was learnt, and one that joined or revived just before this pass must still be sent
   * the allowance that gave it before its first offers.
   */
  beforePass(): void {
    for (const [id, f] of this.frameworks) {
      if (f.offered === 0 && f.used === 0) continue;
      f.offered = 0;
      let next = Math.max(LEAST_ALLOWANCE, GROWTH * f.used);
      if (f.used >= f.allowance) next = Math.max(next, GROWTH * f.allowance);
      f.used = 0;
      if (next === f.allowance) continue;
      f.allowance = next;
      this.setBound(id, next);
    }
  }

  /**
   * The framework asked for offers again (REVIVE). A framework that was idle (allowance 2)
   * and gets work may need to see more agents than two a pass (to spread its tasks): it
   * may be sent three times what it used after its previous REVIVE, or
   * {@link FIRST_ALLOWANCE} agents on its first REVIVE or when it used nothing since (what
   * it was sent did not serve), at most {@link FIRST_ALLOWANCE}.
   */
  revived(frameworkId: string): void {
    const f = this.frameworks.get(frameworkId);
    if (!f) return;
    const since = f.usedSinceRevive;
    f.usedSinceRevive = 0;
    const raise = since ? Math.min(FIRST_ALLOWANCE, GROWTH * since) : FIRST_ALLOWANCE;
    if (f.allowance >= raise) return;
    f.allowance = raise;
    this.setBound(frameworkId, raise);
  }

  /** The framework is gone. */
  removed(frameworkId: string): void {
    this.frameworks.delete(frameworkId);
  }

  /** The framework's allowance now (undefined: not known). */
  of(frameworkId: string): number | undefined {
    return this.frameworks.get(frameworkId)?.allowance;
  }
}
