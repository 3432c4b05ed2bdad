/**
 * The allocator's recent decisions for each framework, for the dashboard's answer to "why
 * is my framework not getting offers?": offers made, offers declined (with the refuse
 * filter asked for), and roles quota held back (by another role's guarantee or by the
 * role's own limit). Each framework keeps its last {@link DEFAULT_DECISIONS} in a ring,
 * so memory is bounded by frameworks × ring; a removed framework's ring goes with it.
 * Nothing here feeds back into allocation: the allocator is only read.
 */
import type { HeldBack, OfferedResources, Resources } from '../allocator/index.js';
import { quantitiesToObject, Resources as R } from '../allocator/index.js';

/** How many decisions each framework keeps. */
export const DEFAULT_DECISIONS = 50;

/** At most this many agent IDs are named in one decision (the count is always exact). */
const AGENTS_NAMED = 5;

/** One decision, as the API serves it. */
export interface Decision {
  /** Increases across all frameworks; a client asks for those after the last it saw. */
  seq: number;
  /** When (ms since the epoch). */
  at: number;
  kind: 'offered' | 'declined' | 'held-back';
  /** Roles involved. */
  roles: string[];
  /** How many offers (offered, declined). */
  offers?: number;
  /** Some of the agents involved (at most five). */
  agents?: string[];
  /** The resources offered or declined, summed. */
  resources?: string;
  /** The refuse filter a decline asked for, in seconds. */
  refuseSeconds?: number;
  /** Why quota held a role back (held-back). */
  cause?: HeldBack['cause'];
  /** The role whose limit binds (cause `role-limit`). */
  limitedBy?: string;
  /** What the role may still be offered per scalar (held-back), in units. */
  room?: Record<string, number>;
}

/** What the log needs to know of the allocator. */
export interface HeldBackSource {
  heldBack(frameworkId: string): HeldBack[];
}

function heldKey(h: HeldBack): string {
  return `${h.role}\u0000${h.cause}\u0000${h.limitedBy ?? ''}`;
}

/** Per-framework rings of recent decisions. */
export class DecisionLog {
  private readonly rings = new Map<string, Decision[]>();
  /** Hold-backs last recorded per framework, so that one that persists is logged once. */
  private readonly held = new Map<string, Set<string>>();
  /** The exact sum behind a declined decision's text, for merging the next decline. */
  private readonly declinedSums = new WeakMap<Decision, Resources>();
  private seq = 0;

  constructor(
    private readonly clock: { now(): number },
    private readonly size = DEFAULT_DECISIONS,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`decision ring size must be an integer >= 1, got ${size}`);
    }
  }

  private push(frameworkId: string, d: Omit<Decision, 'seq' | 'at'>): Decision {
    let ring = this.rings.get(frameworkId);
    if (!ring) this.rings.set(frameworkId, (ring = []));
    const decision = { seq: ++this.seq, at: this.clock.now(), ...d };
    ring.push(decision);
    if (ring.length > this.size) ring.splice(0, ring.length - this.size);
    return decision;
  }

  /** One pass's offers to a framework: one decision. */
  offered(frameworkId: string, offers: readonly OfferedResources[]): void {
    if (offers.length === 0) return;
    let sum: Resources = R.EMPTY;
    for (const o of offers) sum = sum.add(o.resources);
    this.push(frameworkId, {
      kind: 'offered',
      roles: [...new Set(offers.map((o) => o.role))].sort(),
      offers: offers.length,
      agents: offers.slice(0, AGENTS_NAMED).map((o) => o.agentId),
      resources: sum.toString(),
    });
    // An offer in a role ends its hold-back: a later one is news again.
    const held = this.held.get(frameworkId);
    if (held)
      for (const o of offers)
        for (const k of held) if (k.startsWith(`${o.role}\u0000`)) held.delete(k);
  }

  /**
   * One declined offer. Declines of one call arrive one by one at the same instant with
   * the same filter: they merge into one decision.
   */
  declined(
    frameworkId: string,
    agentId: string,
    role: string,
    res: Resources,
    refuseSeconds: number,
  ): void {
    const ring = this.rings.get(frameworkId);
    const last = ring?.[ring.length - 1];
    if (
      last?.kind === 'declined' &&
      last.at === this.clock.now() &&
      last.refuseSeconds === refuseSeconds
    ) {
      last.offers = (last.offers ?? 0) + 1;
      if (!last.roles.includes(role)) last.roles = [...last.roles, role].sort();
      if ((last.agents?.length ?? 0) < AGENTS_NAMED)
        last.agents = [...(last.agents ?? []), agentId];
      const sum = (this.declinedSums.get(last) ?? R.EMPTY).add(res);
      this.declinedSums.set(last, sum);
      last.resources = sum.toString();
      return;
    }
    const d = this.push(frameworkId, {
      kind: 'declined',
      roles: [role],
      offers: 1,
      agents: [agentId],
      resources: res.toString(),
      refuseSeconds,
    });
    this.declinedSums.set(d, res);
  }

  /**
   * After a pass: records each framework role quota now holds back, once per spell (a
   * hold-back that persists over many passes is one decision).
   */
  afterPass(source: HeldBackSource, frameworkIds: Iterable<string>): void {
    for (const id of frameworkIds) {
      const now = source.heldBack(id);
      const before = this.held.get(id);
      if (now.length === 0) {
        if (before) this.held.delete(id);
        continue;
      }
      const keys = new Set<string>();
      for (const h of now) {
        const key = heldKey(h);
        keys.add(key);
        if (before?.has(key)) continue;
        this.push(id, {
          kind: 'held-back',
          roles: [h.role],
          cause: h.cause,
          ...(h.limitedBy ? { limitedBy: h.limitedBy } : {}),
          room: quantitiesToObject(new Map([...h.room].map(([n, v]) => [n, Math.max(0, v)]))),
        });
      }
      this.held.set(id, keys);
    }
  }

  /** Decisions of a framework after `since` (a seq), oldest first. */
  list(frameworkId: string, since = 0): Decision[] {
    return (this.rings.get(frameworkId) ?? []).filter((d) => d.seq > since);
  }

  /** Whether the log has anything for the framework. */
  has(frameworkId: string): boolean {
    return this.rings.has(frameworkId);
  }

  /** Drops a removed framework's decisions. */
  forget(frameworkId: string): void {
    this.rings.delete(frameworkId);
    this.held.delete(frameworkId);
  }
}
