/**
 * Weighted Dominant Resource Fairness (Ghodsi et al., NSDI 2011): the client with the
 * smallest dominant share divided by its weight is offered first. Shares are recomputed
 * lazily: an allocation marks only its own path dirty, and a sort repositions just the
 * dirty children (binary insertion) instead of re-sorting everyone. Only a change of the
 * totals (an agent added or removed) forces a full re-sort.
 */
import { TreeSorter, type SorterNode } from './tree-sorter.js';

/** The weighted DRF sorter (Mesos' `DRFSorter`). */
export class DrfSorter extends TreeSorter {
  protected orderChildren(node: SorterNode): readonly SorterNode[] {
    if (node.sortedGen !== this.generation) {
      const order: SorterNode[] = [];
      for (const c of node.children.values()) {
        c.shareStale = true;
        if (c.activeLeaves > 0) order.push(c);
      }
      node.order = order.sort((a, b) => this.compare(a, b));
      node.dirty.clear();
      node.sortedGen = this.generation;
      return node.order;
    }
    if (node.dirty.size === 0) return node.order;
    // In place: an iteration from an earlier sort() is over by contract.
    const order = node.order;
    for (const c of node.dirty) {
      const at = order.indexOf(c);
      if (at >= 0) order.splice(at, 1);
      if (c.activeLeaves === 0 || c.parent !== node) continue;
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = order[mid];
        if (m && this.compare(m, c) < 0) lo = mid + 1;
        else hi = mid;
      }
      order.splice(lo, 0, c);
    }
    node.dirty.clear();
    return order;
  }

  /** Smaller weighted share first; ties by path so the order is deterministic. */
  private compare(a: SorterNode, b: SorterNode): number {
    const d = this.weightedShare(a) - this.weightedShare(b);
    if (d !== 0) return d;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : a.isLeaf ? -1 : 1;
  }
}
