/**
 * The hierarchy both sorters share. Clients are paths (`eng/backend`); every path level is
 * an inner node whose allocation is the sum of its subtree, and each client hangs below
 * its own path as a leaf, so that a role and its subroles compete fairly
 * (Mesos does the same with "virtual leaves"). Subclasses decide only how the children of
 * one node are ordered.
 */
import { InvariantError } from '../shared/errors.js';
import { addInto, type Quantities } from './quantities.js';
import type { Sorter } from './sorter.js';

/** A node of the sorter tree. */
export interface SorterNode {
  readonly path: string;
  readonly parent: SorterNode | undefined;
  /**
   * Children with an active leaf, in the order of the last sort. Inactive subtrees are
   * left out so that a sort never walks past them (many suppressed or capped roles).
   */
  order: SorterNode[];
  readonly children: Map<string, SorterNode>;
  /** The client's leaf below this path, when the path is a client. */
  leaf: SorterNode | undefined;
  readonly isLeaf: boolean;
  /** Subtree allocation (for a leaf: the client's own). */
  readonly alloc: Map<string, number>;
  active: boolean;
  /** Active leaves in the subtree: a node with none is skipped when sorting. */
  activeLeaves: number;
  /** Cached weighted share and the generation of totals it was computed against. */
  share: number;
  shareStale: boolean;
  /** Children whose share changed since this node's order was last fixed. */
  readonly dirty: Set<SorterNode>;
  /** The totals generation the order was computed for (-1: never). */
  sortedGen: number;
}

function newNode(path: string, parent: SorterNode | undefined, isLeaf: boolean): SorterNode {
  return {
    path,
    parent,
    order: [],
    children: new Map(),
    leaf: undefined,
    isLeaf,
    alloc: new Map(),
    active: false,
    activeLeaves: 0,
    share: 0,
    shareStale: true,
    dirty: new Set(),
    sortedGen: -1,
  };
}

/**
 * The pool shares are fractions of. The allocator hands one instance to all its sorters
 * (the role sorter and one per role), so that adding an agent updates one map, not one
 * per role.
 */
export class SorterTotals {
  /** Scalar totals, milli units. */
  readonly total = new Map<string, number>();
  /** Bumped whenever totals (or weights) change: every cached share is then stale. */
  generation = 0;

  /** Adds (sign 1) or removes (sign -1) quantities. */
  change(q: Quantities, sign: number): void {
    addInto(this.total, q, sign);
    this.generation++;
  }
}

/** Base of the DRF and random sorters: tree upkeep, totals, shares. */
export abstract class TreeSorter implements Sorter {
  protected readonly root: SorterNode = newNode('', undefined, false);
  protected readonly totals: SorterTotals;
  protected readonly weights = new Map<string, number>();
  private readonly leaves = new Map<string, SorterNode>();

  /** @param totals - a pool shared with other sorters; a private one by default */
  constructor(totals?: SorterTotals) {
    this.totals = totals ?? new SorterTotals();
  }

  /** The totals generation: cached orders older than this are stale. */
  protected get generation(): number {
    return this.totals.generation;
  }

  /** Orders the children of `node` for one sort. */
  protected abstract orderChildren(node: SorterNode): readonly SorterNode[];

  add(client: string): void {
    if (this.leaves.has(client)) return;
    let node = this.root;
    let path = '';
    for (const part of client.split('/')) {
      path = path === '' ? part : `${path}/${part}`;
      let child = node.children.get(path);
      if (!child) {
        child = newNode(path, node, false);
        node.children.set(path, child);
        node.sortedGen = -1;
      }
      node = child;
    }
    const leaf = newNode(client, node, true);
    node.leaf = leaf;
    node.children.set('\u0000', leaf);
    node.sortedGen = -1;
    this.leaves.set(client, leaf);
    this.setActive(leaf, true);
  }

  remove(client: string): void {
    const leaf = this.leaves.get(client);
    if (!leaf) return;
    this.setActive(leaf, false);
    // A copy: changeAlloc must not iterate the map it is emptying.
    this.changeAlloc(leaf, new Map(leaf.alloc), -1);
    this.leaves.delete(client);
    let child: SorterNode = leaf;
    let parent = leaf.parent;
    // Detach the leaf, then every inner node left without children.
    while (parent) {
      parent.children.delete(child.isLeaf ? '\u0000' : child.path);
      if (child.isLeaf) parent.leaf = undefined;
      parent.order = parent.order.filter((n) => n !== child);
      parent.dirty.delete(child);
      if (parent.children.size > 0 || parent === this.root) break;
      child = parent;
      parent = parent.parent;
    }
  }

  contains(client: string): boolean {
    return this.leaves.has(client);
  }

  clients(): Iterable<string> {
    return this.leaves.keys();
  }

  count(): number {
    return this.leaves.size;
  }

  activeCount(): number {
    return this.root.activeLeaves;
  }

  activate(client: string): void {
    const leaf = this.leaves.get(client);
    if (leaf) this.setActive(leaf, true);
  }

  deactivate(client: string): void {
    const leaf = this.leaves.get(client);
    if (leaf) this.setActive(leaf, false);
  }

  updateWeight(path: string, weight: number): void {
    if (!(weight > 0)) throw new InvariantError(`weight of "${path}" must be positive`);
    if (weight === 1) this.weights.delete(path);
    else this.weights.set(path, weight);
    // Cheap and rare: recompute every share at the next sort.
    this.totals.generation++;
  }

  allocated(client: string, q: Quantities): void {
    this.changeAlloc(this.mustLeaf(client), q, 1);
  }

  unallocated(client: string, q: Quantities): void {
    this.changeAlloc(this.mustLeaf(client), q, -1);
  }

  allocation(client: string): Quantities {
    return this.leaves.get(client)?.alloc ?? new Map<string, number>();
  }

  addTotal(q: Quantities): void {
    this.totals.change(q, 1);
  }

  removeTotal(q: Quantities): void {
    this.totals.change(q, -1);
  }

  share(path: string): number {
    const node = this.find(path);
    return node ? this.dominant(node.alloc) : 0;
  }

  *sort(): Iterable<string> {
    yield* this.walk(this.root);
  }

  private *walk(node: SorterNode): Generator<string> {
    for (const child of this.orderChildren(node)) {
      if (child.activeLeaves === 0) continue;
      if (child.isLeaf) yield child.path;
      // A path with no subpaths holds just its client: no need to descend (the common,
      // flat case, where this halves the work of a sort).
      else if (child.leaf && child.children.size === 1) yield child.leaf.path;
      else yield* this.walk(child);
    }
  }

  /** The unweighted dominant share of an allocation against the current totals. */
  protected dominant(alloc: Quantities): number {
    let max = 0;
    const total = this.totals.total;
    for (const [name, v] of alloc) {
      const t = total.get(name);
      if (t !== undefined && t > 0) {
        const s = v / t;
        if (s > max) max = s;
      }
    }
    return max;
  }

  /** The node's share divided by its weight, recomputed only when stale. */
  protected weightedShare(node: SorterNode): number {
    if (node.shareStale) {
      const w = node.isLeaf ? 1 : (this.weights.get(node.path) ?? 1);
      node.share = this.dominant(node.alloc) / w;
      node.shareStale = false;
    }
    return node.share;
  }

  /** The weight of a node (leaves weigh 1: they compete only with their siblings). */
  protected weightOf(node: SorterNode): number {
    return node.isLeaf ? 1 : (this.weights.get(node.path) ?? 1);
  }

  private find(path: string): SorterNode | undefined {
    let node: SorterNode | undefined = this.root;
    let prefix = '';
    for (const part of path.split('/')) {
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      node = node.children.get(prefix);
      if (!node) return undefined;
    }
    return node;
  }

  private mustLeaf(client: string): SorterNode {
    const leaf = this.leaves.get(client);
    if (!leaf) throw new InvariantError(`sorter has no client "${client}"`);
    return leaf;
  }

  private changeAlloc(leaf: SorterNode, q: Quantities, sign: number): void {
    if (q.size === 0) return;
    let node: SorterNode | undefined = leaf;
    // The root's allocation is never compared with anything, so it is not kept.
    while (node && node !== this.root) {
      addInto(node.alloc, q, sign);
      node.shareStale = true;
      node.parent?.dirty.add(node);
      node = node.parent;
    }
  }

  private setActive(leaf: SorterNode, active: boolean): void {
    if (leaf.active === active) return;
    leaf.active = active;
    const d = active ? 1 : -1;
    for (let n: SorterNode | undefined = leaf; n; n = n.parent) {
      n.activeLeaves += d;
      // Entering or leaving the active set: the parent re-places (or drops) it lazily.
      if (n.activeLeaves === 0 || (active && n.activeLeaves === 1)) n.parent?.dirty.add(n);
    }
  }
}
