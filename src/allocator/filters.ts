/**
 * Refuse filters. A framework that declines an offer with `refuse_seconds` is not offered
 * those resources (or less) on that agent again until the filter expires — but it is
 * offered the agent again as soon as more becomes available there, exactly as Mesos'
 * `RefusedOfferFilter` works. Expiry follows the injected clock. As in Mesos, a lapse
 * only removes the filter: the agent is offered to that framework by whatever pass next
 * covers it (the periodic one, or one for a change on that agent), never by a pass of its
 * own. A min-heap of expiry times lets the periodic pass drop lapsed filters without
 * scanning every one (filters on agents never offered to their framework again would
 * otherwise stay until the agent or framework goes).
 */
import type { Resources } from './resources.js';

interface Filter {
  readonly resources: Resources;
  readonly expiresAt: number;
}

interface Expiry {
  readonly at: number;
  readonly frameworkId: string;
  readonly agentId: string;
}

/** Refuse filters of all frameworks, keyed by framework then agent. */
export class OfferFilters {
  private readonly byFramework = new Map<string, Map<string, Filter[]>>();
  private readonly heap: Expiry[] = [];

  /** Adds a filter that lasts until `expiresAt` (ms on the allocator's clock). */
  add(frameworkId: string, agentId: string, resources: Resources, expiresAt: number): void {
    let agents = this.byFramework.get(frameworkId);
    if (!agents) {
      agents = new Map();
      this.byFramework.set(frameworkId, agents);
    }
    const list = agents.get(agentId) ?? [];
    list.push({ resources, expiresAt });
    agents.set(agentId, list);
    this.push({ at: expiresAt, frameworkId, agentId });
  }

  /** Whether an unexpired filter of the framework on the agent covers all of `offer`. */
  filtered(frameworkId: string, agentId: string, offer: Resources, now: number): boolean {
    return this.live(frameworkId, agentId, now).some((f) => f.resources.contains(offer));
  }

  /** Drops every filter of a framework (revive, removal). */
  clearFramework(frameworkId: string): void {
    this.byFramework.delete(frameworkId);
  }

  /** Drops every filter on an agent (the agent was removed or changed). */
  clearAgent(agentId: string): void {
    for (const agents of this.byFramework.values()) agents.delete(agentId);
  }

  /** Drops the filters lapsed by `now` (each is also ignored once lapsed, dropped or not). */
  prune(now: number): void {
    for (let top = this.heap[0]; top && top.at <= now; top = this.heap[0]) {
      this.pop();
      this.live(top.frameworkId, top.agentId, now);
    }
  }

  /** The framework's unexpired filters on the agent; lapsed ones are dropped on the way. */
  private live(frameworkId: string, agentId: string, now: number): Filter[] {
    const agents = this.byFramework.get(frameworkId);
    const list = agents?.get(agentId);
    if (!agents || !list) return [];
    const live = list.filter((f) => f.expiresAt > now);
    if (live.length === 0) agents.delete(agentId);
    else if (live.length !== list.length) agents.set(agentId, live);
    return live;
  }

  /** How many (framework, agent) pairs hold filters: what pruning keeps bounded. */
  size(): number {
    let n = 0;
    for (const agents of this.byFramework.values()) n += agents.size;
    return n;
  }

  private push(e: Expiry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!parent || parent.at <= e.at) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let mv = last;
      const lv = h[l];
      const rv = h[r];
      if (lv && lv.at < mv.at) {
        m = l;
        mv = lv;
      }
      if (rv && rv.at < mv.at) {
        m = r;
        mv = rv;
      }
      if (m === i) break;
      h[i] = mv;
      i = m;
    }
    h[i] = last;
  }
}
