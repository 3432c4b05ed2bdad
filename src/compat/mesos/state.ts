/**
 * The controller's view in the JSON shapes of Mesos' master endpoints (`/master/state`,
 * `/master/frameworks`, `/master/slaves`, `/master/tasks`, `/master/roles`,
 * `/metrics/snapshot`), for Mesos dashboards, mesos-dns-style tools and monitoring
 * scripts. Built on every request from the core's records; nothing is kept.
 */
import { Resources } from '../../allocator/index.js';
import type { ControllerCore } from '../../controller/core.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from '../../controller/records.js';
import { mapToLabels } from './resources.js';

/** Who serves these documents: the address a request reached and when this process began. */
export interface MasterIdentity {
  id: string;
  /** `host:port` of the HTTP API. */
  address: string;
  hostname: string;
  port: number;
  version: string;
  /** Seconds since the epoch. */
  startTime: number;
}

/** Mesos' resources JSON: scalars by name (cpus, mem, disk, gpus always), ranges as `[a-b, …]`, sets as `{a, …}`. */
export function resourcesJson(r: Resources): Record<string, number | string> {
  const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  const ranges = new Map<string, string[]>();
  const sets = new Map<string, string[]>();
  for (const e of r.toProto()) {
    if (e.type === 'SCALAR')
      out[e.name] = Math.round(((Number(out[e.name]) || 0) + (e.scalar ?? 0)) * 1000) / 1000;
    else if (e.type === 'RANGES')
      ranges.set(e.name, [
        ...(ranges.get(e.name) ?? []),
        ...(e.ranges ?? []).map((x) => `${String(x.begin)}-${String(x.end)}`),
      ]);
    else sets.set(e.name, [...(sets.get(e.name) ?? []), ...(e.set ?? [])]);
  }
  for (const [name, list] of ranges) out[name] = `[${list.join(', ')}]`;
  for (const [name, list] of sets) out[name] = `{${list.join(', ')}}`;
  return out;
}

function sum(list: Iterable<Resources>): Resources {
  let acc = Resources.EMPTY;
  for (const r of list) acc = acc.add(r);
  return acc;
}

/** A task as Mesos' master JSON shows it. */
export function taskJson(t: TaskRecord): Record<string, unknown> {
  const labels = mapToLabels(t.info.labels).labels ?? [];
  return {
    id: t.id,
    name: t.info.name ?? '',
    framework_id: t.frameworkId,
    executor_id: '',
    slave_id: t.agentId,
    state: t.state,
    resources: resourcesJson(t.resources),
    role: t.role,
    statuses: t.status
      ? [{ state: t.status.state, timestamp: Number(t.status.timestamp ?? 0) }]
      : [],
    ...(labels.length > 0 ? { labels } : {}),
  };
}

function agentJson(core: ControllerCore, a: AgentRecord): Record<string, unknown> {
  const used = sum(core.usedOn(a).values());
  const offered = sum(core.offers.ofAgent(a.id).map((o) => o.resources));
  const reserved: Record<string, Record<string, number | string>> = {};
  const roles = new Set(
    a.total
      .toProto()
      .flatMap((e) =>
        e.reservations && e.reservations.length > 0 ? [e.reservations.at(-1)?.role ?? ''] : [],
      ),
  );
  for (const role of roles) reserved[role] = resourcesJson(a.total.reservedTo(role));
  return {
    id: a.id,
    hostname: a.info.hostname,
    pid: `slave(1)@${a.info.address || a.info.hostname}`,
    registered_time: a.lastSeen / 1000,
    resources: resourcesJson(a.total),
    used_resources: resourcesJson(used),
    offered_resources: resourcesJson(offered),
    reserved_resources: reserved,
    unreserved_resources: resourcesJson(a.total.unreserved()),
    attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
    active: a.state === 'active',
    deactivated: a.state !== 'active',
    version: a.info.version,
  };
}

function frameworkJson(core: ControllerCore, f: FrameworkRecord): Record<string, unknown> {
  const allocated = sum(core.allocator.frameworkAllocation(f.id).values());
  const offers = core.offers.ofFramework(f.id);
  const tasks = [...f.tasks].flatMap((id) => {
    const t = core.tasks.get(id);
    return t ? [t] : [];
  });
  const done = (t: TaskRecord) => core.completed.has(f.id, t.id);
  return {
    id: f.id,
    name: f.info.name,
    user: f.info.user,
    hostname: f.info.hostname,
    principal: f.info.principal || undefined,
    role: f.roles[0] ?? '*',
    roles: f.roles,
    capabilities: f.info.capabilities,
    failover_timeout: f.info.failover_timeout_seconds,
    checkpoint: f.info.checkpoint,
    active: f.connected,
    connected: f.connected,
    recovered: false,
    registered_time: f.registeredAt / 1000,
    used_resources: resourcesJson(allocated),
    allocated_resources: resourcesJson(allocated),
    offered_resources: resourcesJson(sum(offers.map((o) => o.resources))),
    resources: resourcesJson(allocated.add(sum(offers.map((o) => o.resources)))),
    tasks: tasks.filter((t) => !done(t)).map(taskJson),
    completed_tasks: tasks.filter(done).map(taskJson),
    unreachable_tasks: [],
    offers: offers.map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      slave_id: o.agentId,
      resources: resourcesJson(o.resources),
    })),
    executors: [],
  };
}

/** `/master/frameworks`. */
export function frameworksDoc(core: ControllerCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => frameworkJson(core, f)),
    completed_frameworks: [],
    unregistered_frameworks: [],
  };
}

/** `/master/slaves`. */
export function slavesDoc(core: ControllerCore): Record<string, unknown> {
  return {
    slaves: [...core.agents.values()].map((a) => agentJson(core, a)),
    recovered_slaves: [],
  };
}

/** A role in `/master/roles`. */
export interface RoleJson {
  name: string;
  weight: number;
  frameworks: string[];
  resources: Record<string, number | string>;
  allocated: Record<string, number | string>;
}

/** `/master/roles`: every role a framework subscribed in or a task runs in. */
export function rolesDoc(core: ControllerCore): { roles: RoleJson[] } {
  const roles = new Map<string, { frameworks: Set<string>; allocated: Resources }>();
  const role = (name: string) => {
    let r = roles.get(name);
    if (!r) roles.set(name, (r = { frameworks: new Set(), allocated: Resources.EMPTY }));
    return r;
  };
  for (const f of core.frameworks.values())
    for (const name of f.roles) role(name).frameworks.add(f.id);
  for (const t of core.tasks.values()) {
    const r = role(t.role);
    if (!t.recovered) r.allocated = r.allocated.add(t.resources);
  }
  return {
    roles: [...roles.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => ({
        name,
        weight: 1,
        frameworks: [...r.frameworks],
        resources: resourcesJson(r.allocated),
        allocated: resourcesJson(r.allocated),
      })),
  };
}

/** `/master/state` (and `/master/state.json`, `/state.json`). */
export function stateDoc(core: ControllerCore, me: MasterIdentity): Record<string, unknown> {
  const pid = `master@${me.address}`;
  const agents = [...core.agents.values()];
  return {
    version: me.version,
    id: me.id,
    pid,
    hostname: me.hostname,
    start_time: me.startTime,
    elected_time: me.startTime,
    leader: pid,
    leader_info: { id: me.id, pid, port: me.port, hostname: me.hostname, version: me.version },
    activated_slaves: agents.filter((a) => a.state === 'active').length,
    deactivated_slaves: agents.filter((a) => a.state !== 'active').length,
    unreachable_slaves: agents.filter((a) => a.state === 'unreachable').length,
    flags: {},
    ...slavesDoc(core),
    ...frameworksDoc(core),
    orphan_tasks: [],
  };
}

/** `/metrics/snapshot`: Mesos' master metric names, flat. */
export function metricsSnapshot(
  core: ControllerCore,
  me: MasterIdentity,
  nowSeconds: number,
): Record<string, number> {
  const agents = [...core.agents.values()];
  const total = sum(agents.map((a) => a.total));
  const used = sum(agents.flatMap((a) => [...core.usedOn(a).values()]));
  const frameworks = [...core.frameworks.values()];
  const count = (state: string) => [...core.tasks.values()].filter((t) => t.state === state).length;
  const out: Record<string, number> = {
    'master/uptime_secs': nowSeconds - me.startTime,
    'master/elected': 1,
    'master/slaves_active': agents.filter((a) => a.state === 'active').length,
    'master/slaves_inactive': agents.filter((a) => a.state !== 'active').length,
    'master/slaves_connected': agents.filter((a) => a.stream !== undefined).length,
    'master/slaves_disconnected': agents.filter((a) => a.stream === undefined).length,
    'master/slaves_unreachable': agents.filter((a) => a.state === 'unreachable').length,
    'master/frameworks_active': frameworks.filter((f) => f.connected).length,
    'master/frameworks_inactive': frameworks.filter((f) => !f.connected).length,
    'master/frameworks_connected': frameworks.filter((f) => f.connected).length,
    'master/frameworks_disconnected': frameworks.filter((f) => !f.connected).length,
    'master/outstanding_offers': core.offers.size,
  };
  for (const s of ['STAGING', 'STARTING', 'RUNNING', 'KILLING', 'UNREACHABLE'])
    out[`master/tasks_${s.toLowerCase()}`] = count(`TASK_${s}`);
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    const t = total.scalar(name);
    const u = used.scalar(name);
    out[`master/${name}_total`] = t;
    out[`master/${name}_used`] = u;
    out[`master/${name}_percent`] = t > 0 ? u / t : 0;
  }
  return out;
}
