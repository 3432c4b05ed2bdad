/**
 * The role tree's quota bookkeeping. For every role (and, summed, every ancestor) it
 * tracks what the role consumes against its quota — allocations plus reservations not
 * yet allocated, since Mesos counts reserved resources against quota whether or not they
 * are in use — and keeps the cluster's required headroom up to date incrementally: the
 * unsatisfied guarantees that must stay unallocated for roles below their guarantee.
 */
import { addInto, positiveDifference, type Quantities } from './quantities.js';

/** A role's quota in milli units; a name absent from `limit` is unlimited. */
export interface RoleQuota {
  readonly guarantee: Quantities;
  readonly limit: Quantities;
}

/** Bookkeeping of one role; the counters cover its whole subtree. */
export class RoleEntry {
  readonly name: string;
  readonly parent: RoleEntry | undefined;
  quota: RoleQuota = { guarantee: new Map(), limit: new Map() };
  /** Allocated (offered or in use), reserved or not. */
  readonly allocated = new Map<string, number>();
  /** Reserved to the role on some agent, allocated or not. */
  readonly reserved = new Map<string, number>();
  /** The reserved part of {@link allocated}. */
  readonly allocatedReserved = new Map<string, number>();
  /** Frameworks subscribed to exactly this role. */
  readonly frameworks = new Set<string>();
  /** Child roles. */
  readonly children = new Set<RoleEntry>();

  constructor(name: string, parent: RoleEntry | undefined) {
    this.name = name;
    this.parent = parent;
  }

  /** allocated + reserved - allocatedReserved: what counts against quota. */
  consumed(): Map<string, number> {
    const c = new Map(this.allocated);
    addInto(c, this.reserved, 1);
    addInto(c, this.allocatedReserved, -1);
    return c;
  }
}

/** Which counter a change applies to. */
export type Counter = 'allocated' | 'reserved' | 'allocatedReserved';

/** All roles, their quotas and the required headroom. */
export class RoleTree {
  private readonly roles = new Map<string, RoleEntry>();
  /** Unsatisfied guarantee of each guaranteed root (role with a guarantee, no guaranteed ancestor). */
  private readonly contribution = new Map<RoleEntry, Map<string, number>>();
  private readonly required = new Map<string, number>();

  /** The role, if known. */
  get(name: string): RoleEntry | undefined {
    return this.roles.get(name);
  }

  /** All known roles. */
  all(): IterableIterator<RoleEntry> {
    return this.roles.values();
  }

  /** The role, created with its ancestors when missing. */
  ensure(name: string): RoleEntry {
    const existing = this.roles.get(name);
    if (existing) return existing;
    const slash = name.lastIndexOf('/');
    const parent = slash > 0 ? this.ensure(name.slice(0, slash)) : undefined;
    const role = new RoleEntry(name, parent);
    parent?.children.add(role);
    this.roles.set(name, role);
    return role;
  }

  /** Forgets roles that hold, reserve and promise nothing, so the map does not grow forever. */
  prune(name: string): void {
    let role = this.roles.get(name);
    while (role && this.idle(role)) {
      this.roles.delete(role.name);
      role.parent?.children.delete(role);
      role = role.parent;
    }
  }

  private idle(r: RoleEntry): boolean {
    return (
      r.frameworks.size === 0 &&
      r.children.size === 0 &&
      r.allocated.size === 0 &&
      r.reserved.size === 0 &&
      r.quota.guarantee.size === 0 &&
      r.quota.limit.size === 0
    );
  }

  /** Adds `q` (scaled by sign) to a counter of the role and all its ancestors. */
  track(name: string, counter: Counter, q: Quantities, sign: number): void {
    if (q.size === 0) return;
    const touched: RoleEntry[] = [];
    for (let r: RoleEntry | undefined = this.ensure(name); r; r = r.parent) {
      addInto(r[counter], q, sign);
      if (this.contribution.has(r)) touched.push(r);
    }
    for (const r of touched) this.refreshContribution(r);
  }

  /** Replaces a role's quota. */
  setQuota(name: string, quota: RoleQuota): void {
    this.ensure(name).quota = quota;
    this.recomputeRoots();
  }

  /** Σ over guaranteed roots of max(0, guarantee - consumed): held back from everyone else. */
  requiredHeadroom(): Quantities {
    return this.required;
  }

  /** The guaranteed root a role's allocations count towards, if any. */
  guaranteedRoot(name: string): RoleEntry | undefined {
    let root: RoleEntry | undefined;
    for (let r = this.roles.get(name); r; r = r.parent) {
      if (r.quota.guarantee.size > 0) root = r;
    }
    return root;
  }

  /** What the role's guaranteed root is still owed (empty when none or satisfied). */
  unsatisfied(name: string): Quantities {
    const root = this.guaranteedRoot(name);
    return (root && this.contribution.get(root)) ?? new Map<string, number>();
  }

  /**
   * Caps (milli, per name) on the unreserved scalars role `name` may be offered now:
   * each limit of the role and its ancestors less what they consume, and the available
   * headroom less what must be held back for other roles' guarantees. In `guaranteeOnly`
   * mode (the first allocation stage) names in the guarantee are capped to what is still
   * owed. Returns undefined when nothing caps the role.
   */
  caps(
    name: string,
    availableHeadroom: Quantities,
    guaranteeOnly: boolean,
  ): Map<string, number> | undefined {
    let caps: Map<string, number> | undefined;
    const cap = (n: string, v: number): void => {
      caps ??= new Map();
      const prev = caps.get(n);
      caps.set(n, prev === undefined ? v : Math.min(prev, v));
    };
    for (let r = this.roles.get(name); r; r = r.parent) {
      for (const [n, lim] of r.quota.limit) {
        const consumed =
          (r.allocated.get(n) ?? 0) + (r.reserved.get(n) ?? 0) - (r.allocatedReserved.get(n) ?? 0);
        cap(n, lim - consumed);
      }
    }
    if (this.required.size > 0) {
      const own = this.unsatisfied(name);
      for (const [n, req] of this.required) {
        cap(n, (availableHeadroom.get(n) ?? 0) - req + (own.get(n) ?? 0));
      }
    }
    if (guaranteeOnly) {
      const root = this.guaranteedRoot(name);
      const own = this.unsatisfied(name);
      if (root) for (const n of root.quota.guarantee.keys()) cap(n, own.get(n) ?? 0);
    }
    return caps;
  }

  /** Roles whose guaranteed root is still owed something (candidates for stage one). */
  belowGuarantee(name: string): boolean {
    return this.unsatisfied(name).size > 0;
  }

  /** Whether any role is still owed part of its guarantee. */
  anyBelowGuarantee(): boolean {
    // Contributions are positive, so their sum is empty exactly when all are.
    return this.required.size > 0;
  }

  private refreshContribution(root: RoleEntry): void {
    const old = this.contribution.get(root);
    if (old) addInto(this.required, old, -1);
    const next = positiveDifference(root.quota.guarantee, root.consumed());
    this.contribution.set(root, next);
    addInto(this.required, next, 1);
  }

  private recomputeRoots(): void {
    for (const old of this.contribution.values()) addInto(this.required, old, -1);
    this.contribution.clear();
    for (const r of this.roles.values()) {
      if (r.quota.guarantee.size === 0) continue;
      let covered = false;
      for (let a = r.parent; a; a = a.parent) if (a.quota.guarantee.size > 0) covered = true;
      if (!covered) this.refreshContribution(r);
    }
  }
}
