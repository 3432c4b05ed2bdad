/**
 * The random sorter (Mesos' `--role_sorter=random`): each sort is a fresh weighted random
 * permutation, so over time a client with weight 2 comes first twice as often as one with
 * weight 1, regardless of what it holds. Seeded, hence reproducible.
 */
import { Rng } from './rng.js';
import { TreeSorter, type SorterNode, type SorterTotals } from './tree-sorter.js';

/** A weighted random sorter. */
export class RandomSorter extends TreeSorter {
  private readonly rng: Rng;

  /** @param seed - seed of the permutations
   * @param totals - a pool shared with other sorters; a private one by default */
  constructor(seed = 0, totals?: SorterTotals) {
    super(totals);
    this.rng = new Rng(seed);
  }

  protected orderChildren(node: SorterNode): readonly SorterNode[] {
    // Efraimidis–Spirakis: sorting by u^(1/w) descending is a weighted random permutation;
    // ties are impossible in practice and broken by path for determinism anyway.
    const keyed = [...node.children.values()]
      .filter((c) => c.activeLeaves > 0)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((c) => ({ c, k: Math.log(this.rng.next() || Number.MIN_VALUE) / this.weightOf(c) }));
    keyed.sort((a, b) => b.k - a.k);
    return keyed.map((x) => x.c);
  }
}
