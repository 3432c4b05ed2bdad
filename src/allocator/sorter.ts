/**
 * The {@link Sorter} interface: decides in which order clients (roles, or the frameworks
 * of one role) are offered resources. The allocator keeps one sorter over roles and one
 * per role over its frameworks, like Mesos' hierarchical allocator, and never depends on
 * which implementation it got.
 */
import type { Quantities } from './quantities.js';

/** Orders clients for allocation. Client names may be paths (`eng/backend`). */
export interface Sorter {
  /** Adds an active client with nothing allocated. */
  add(client: string): void;
  /** Removes a client and its allocation. */
  remove(client: string): void;
  /** Whether the client was added. */
  contains(client: string): boolean;
  /** The clients, in no particular order. */
  clients(): Iterable<string>;
  /** Number of clients. */
  count(): number;
  /** Number of active clients: those {@link sort} yields. */
  activeCount(): number;
  /** Makes the client appear in {@link sort} again. */
  activate(client: string): void;
  /** Hides the client from {@link sort}, keeping its allocation. */
  deactivate(client: string): void;
  /** Sets the weight of a client or of an inner path (default 1). */
  updateWeight(path: string, weight: number): void;
  /** Records an allocation to the client. */
  allocated(client: string, q: Quantities): void;
  /** Records that an allocation came back from the client. */
  unallocated(client: string, q: Quantities): void;
  /** The client's own allocation. */
  allocation(client: string): Quantities;
  /** Adds to the pool that shares are fractions of. */
  addTotal(q: Quantities): void;
  /** Removes from the pool. */
  removeTotal(q: Quantities): void;
  /**
   * The dominant share of a client or inner path (its whole subtree), unweighted:
   * max over resources of allocated / total.
   */
  share(path: string): number;
  /**
   * Active clients, the one to offer to first coming first. The iteration reflects the
   * allocations at the time of the call; allocations made while iterating take effect at
   * the next call, so callers may allocate as they go. The next call ends the previous
   * iteration (do not resume it).
   */
  sort(): Iterable<string>;
}
