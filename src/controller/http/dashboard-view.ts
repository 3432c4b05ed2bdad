/**
 * What the dashboard shows, as collections of items keyed by ID: the controller, the
 * cluster's resource totals, frameworks (and the completed ones), agents, tasks, offers, roles and the stored
 * Apps and Schedules. The live stream (events-stream.ts) diffs two views item by item, so
 * an item must be a pure function of the state: no clocks, no counters that tick.
 */
import { randomUUID } from 'node:crypto';
import { Resources } from '../../allocator/index.js';
import { VERSION } from '../../cli/commands/version.js';
import type { StoredObject } from '../../store/types.js';
import type { ControllerCore } from '../core.js';
import type { AgentRecord, TaskRecord } from '../records.js';

/** One collection: item ID → item. */
export type Collection = Map<string, Record<string, unknown>>;

/** Every collection the dashboard gets, by name. */
export type DashboardView = Map<string, Collection>;

/** Identity of this controller process, shown on the Overview page. */
export interface ControllerIdentity {
  id: string;
  version: string;
  /** When this controller started serving (ms since the epoch). */
  startedAt: number;
  /** When it became the leader (ms); the same as startedAt for `mezzo dev`. */
  electedAt: number;
}

/** A new identity for a controller that starts serving now. */
export function newIdentity(now: number): ControllerIdentity {
  return { id: randomUUID(), version: VERSION, startedAt: now, electedAt: now };
}

/** Stored objects the dashboard shows, by kind, as the store's watches last reported them. */
export interface StoredObjects {
  App: ReadonlyMap<string, StoredObject>;
  Schedule: ReadonlyMap<string, StoredObject>;
  Role: ReadonlyMap<string, StoredObject>;
}

const SCALARS = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** milli units → units, for scalar quantities. */
function units(q: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of q) out[k] = v / 1000;
  return out;
}

/**
 * The scalar quantities of `list` added up, milli units: the same as adding the resources
 * and taking the sum's quantities, without building a Resources per addition. Adding
 * 2,000 agents' resources so was 41 % of a stream pass's time in a profile at 10,000
 * tasks; each `quantities()` is remembered by its (immutable) Resources.
 */
function sum(list: Iterable<Resources>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of list) for (const [k, v] of r.quantities()) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/** The cluster's totals per scalar: total, in use by tasks, offered, idle. */
function totals(core: ControllerCore): Record<string, unknown> {
  const active = [...core.agents.values()].filter((a) => a.state === 'active');
  const total = sum(active.map((a) => a.total));
  const allocated = sum(
    active.map((a) => core.allocator.agentResources(a.id)?.allocated ?? Resources.EMPTY),
  );
  const offered = sum(core.offers.all().map((o) => o.resources));
  const out: Record<string, unknown> = {};
  for (const name of SCALARS) {
    const t = total.get(name) ?? 0;
    if (t === 0) continue;
    const o = offered.get(name) ?? 0;
    // The allocator counts offered resources as allocated, as Mesos' does.
    const a = allocated.get(name) ?? 0;
    out[name] = {
      total: t / 1000,
      used: Math.max(0, a - o) / 1000,
      offered: o / 1000,
      idle: Math.max(0, t - a) / 1000,
    };
  }
  return out;
}

function keyOf(o: StoredObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

function objects(map: ReadonlyMap<string, StoredObject>): Collection {
  const out: Collection = new Map();
  for (const o of map.values()) {
    out.set(keyOf(o), {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      generation: o.metadata.generation,
      created: o.metadata.creationTimestamp,
      deleting: o.metadata.deletionTimestamp !== undefined,
      spec: o.spec,
      status: o.status,
    });
  }
  return out;
}

/** Roles: every role the allocator or the store knows, with weight, quota and shares. */
function roles(core: ControllerCore, stored: ReadonlyMap<string, StoredObject>): Collection {
  const shares = core.allocator.roleShares();
  const names = new Set([...shares.keys(), ...[...stored.values()].map((o) => o.metadata.name)]);
  for (const fw of core.frameworks.values()) for (const r of fw.roles) names.add(r);
  const out: Collection = new Map();
  for (const name of names) {
    const spec = stored.get(name)?.spec ?? {};
    out.set(name, {
      name,
      parent: name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined,
      weight: typeof spec.weight === 'number' ? spec.weight : 1,
      quota: spec.quota,
      consumed: units(core.allocator.consumedQuota(name)),
      share: shares.get(name) ?? 0,
      frameworks: [...core.frameworks.values()]
        .filter((f) => f.roles.includes(name))
        .map((f) => f.id),
    });
  }
  return out;
}

/** A task's item: everything it shows is read from its record. */
export function taskItem(t: TaskRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.info.name,
    frameworkId: t.frameworkId,
    agentId: t.agentId,
    role: t.role,
    state: t.state,
    reason: t.status?.reason === 'REASON_UNSPECIFIED' ? undefined : t.status?.reason,
    message: t.status?.message,
    resources: t.resources.toString(),
  };
}

/** An agent's item: its record, and what the allocator's books say it has allocated. */
export function agentItem(core: ControllerCore, a: AgentRecord): Record<string, unknown> {
  const books = core.allocator.agentResources(a.id);
  return {
    id: a.id,
    hostname: a.info.hostname,
    state: a.state,
    attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
    total: units(a.total.quantities()),
    allocated: units(books?.allocated.quantities() ?? new Map<string, number>()),
    tasks: a.tasks.size,
  };
}

/** How many of `ids` are RUNNING tasks (counted each pass; no array built per framework). */
function running(core: ControllerCore, ids: Iterable<string>): number {
  let n = 0;
  for (const id of ids) if (core.tasks.get(id)?.state === 'TASK_RUNNING') n++;
  return n;
}

/**
 * The view now. `offerSeen` gives each outstanding offer the time it was first seen (the
 * offer book does not record it), so an offer's item does not change while it waits.
 * With `bulk` false the agents and tasks collections are left empty: a caller that
 * serializes those itself (dashboard-json.ts) does not pay for 10,000 objects.
 */
export function dashboardView(
  core: ControllerCore,
  identity: ControllerIdentity,
  stored: StoredObjects,
  offerSeen: ReadonlyMap<string, number>,
  bulk = true,
): DashboardView {
  const shares = core.allocator.frameworkShares();
  const frameworks: Collection = new Map();
  for (const f of core.frameworks.values()) {
    frameworks.set(f.id, {
      id: f.id,
      name: f.info.name,
      user: f.info.user,
      principal: f.principal?.username,
      roles: f.roles,
      connected: f.connected,
      registeredAt: f.registeredAt,
      tasks: running(core, f.tasks),
      allocated: units(core.allocator.frameworkQuantities(f.id)),
      share: shares.get(f.id) ?? 0,
    });
  }
  const agents: Collection = new Map();
  const tasks: Collection = new Map();
  if (bulk) {
    for (const a of core.agents.values()) agents.set(a.id, agentItem(core, a));
    for (const t of core.tasks.values()) tasks.set(t.id, taskItem(t));
  }
  const offers: Collection = new Map();
  for (const o of core.offers.all()) {
    offers.set(o.id, {
      id: o.id,
      frameworkId: o.frameworkId,
      agentId: o.agentId,
      role: o.role,
      resources: o.resources.toString(),
      since: offerSeen.get(o.id),
    });
  }
  // Removed frameworks, as Mesos' console listed completed ones (bounded by the core).
  const completed: Collection = new Map();
  for (const c of core.completedFrameworks.all()) completed.set(c.id, { ...c });
  const controller: Collection = new Map([['controller', { ...identity, totals: totals(core) }]]);
  return new Map([
    ['controller', controller],
    ['frameworks', frameworks],
    ['completed', completed],
    ['agents', agents],
    ['tasks', tasks],
    ['offers', offers],
    ['roles', roles(core, stored.Role)],
    ['apps', objects(stored.App)],
    ['schedules', objects(stored.Schedule)],
  ]);
}
