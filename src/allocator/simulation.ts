/**
 * The what-if simulator behind `mezzo simulate`: a scenario (agents, roles, frameworks
 * with a demand of identical tasks) is run through the real allocator. In each round the
 * allocator makes a full pass; each framework launches tasks from its offers and
 * declines the rest — without a filter when it launched something (so it is re-offered
 * after the others had their turn, DRF's progressive filling), with a long filter when
 * nothing fit. The simulation ends when a round makes no offers.
 */
import { ValidationError } from '../shared/errors.js';
import { HierarchicalAllocator, type OfferedResources } from './allocator.js';
import { dominantShare } from './introspection.js';
import { validateRole } from './parse.js';
import { addInto, quantitiesToObject } from './quantities.js';
import { Resources } from './resources.js';

/** A validated scenario. */
export interface Scenario {
  agents: { name: string; resources: Resources; attributes: Record<string, string> }[];
  roles: { name: string; weight: number; guarantee?: Resources; limit?: Resources }[];
  frameworks: {
    name: string;
    roles: string[];
    task: Resources;
    count: number;
    tasksPerOffer: number;
    constraints: Record<string, string>;
  }[];
  fairness: 'drf' | 'random';
  seed: number;
  maxRounds: number;
}

/** Per-framework or per-role outcome. */
export interface Outcome {
  tasks: number;
  allocated: Record<string, number>;
  dominantShare: number;
}

/** What `mezzo simulate --json` prints. */
export interface SimulationResult {
  frameworks: Record<string, Outcome & { role: string; demand: number }>;
  roles: Record<string, Outcome & { weight: number }>;
  cluster: { total: Record<string, number>; allocated: Record<string, number> };
  rounds: number;
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ValidationError(path, 'expected a list');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '')
    throw new ValidationError(path, 'expected a non-empty string');
  return v;
}

function num(v: unknown, path: string, dflt: number, min = 0, positive = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (positive && v <= 0)) {
    throw new ValidationError(
      path,
      positive ? 'expected a positive number' : `expected a number ≥ ${min}`,
    );
  }
  return v;
}

function resources(v: unknown, path: string): Resources {
  try {
    if (typeof v === 'string') return Resources.parse(v);
    if (isObject(v)) {
      const q: Record<string, string | number> = {};
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string' && typeof x !== 'number') {
          throw new ValidationError(k, 'expected a number or a quantity string');
        }
        q[k] = x;
      }
      return Resources.fromQuantities(q);
    }
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(path, err.message);
    throw err;
  }
  throw new ValidationError(
    path,
    'expected resources: a map like {cpus: 2, mem: 4Gi} or "cpus:2;mem:4096"',
  );
}

function labels(v: unknown, path: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) throw new ValidationError(path, 'expected a map of strings');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') {
      throw new ValidationError(`${path}.${k}`, 'expected a string');
    }
    out[k] = String(x);
  }
  return out;
}

/** Validates a parsed YAML/JSON document. @throws ValidationError with the path of the problem */
export function parseScenario(doc: unknown): Scenario {
  if (!isObject(doc))
    throw new ValidationError('', 'a scenario is a map with agents, roles and frameworks');
  const agents: Scenario['agents'] = [];
  list(doc.agents, 'agents').forEach((a, i) => {
    const p = `agents[${i}]`;
    if (!isObject(a)) throw new ValidationError(p, 'expected a map');
    const name = str(a.name, `${p}.name`);
    const res = resources(a.resources, `${p}.resources`);
    const attributes = labels(a.attributes, `${p}.attributes`);
    const count = num(a.count, `${p}.count`, 1, 1);
    for (let k = 0; k < count; k++) {
      agents.push({ name: count === 1 ? name : `${name}-${k + 1}`, resources: res, attributes });
    }
  });
  if (agents.length === 0) throw new ValidationError('agents', 'at least one agent is needed');
  const roles: Scenario['roles'] = list(doc.roles, 'roles').map((r, i) => {
    const p = `roles[${i}]`;
    if (!isObject(r)) throw new ValidationError(p, 'expected a map');
    const name = str(r.name, `${p}.name`);
    validateRole(name, `${p}.name`);
    const quota = r.quota === undefined ? {} : r.quota;
    if (!isObject(quota))
      throw new ValidationError(`${p}.quota`, 'expected a map with guarantee and/or limit');
    return {
      name,
      weight: num(r.weight, `${p}.weight`, 1, 0, true),
      ...(quota.guarantee !== undefined
        ? { guarantee: resources(quota.guarantee, `${p}.quota.guarantee`) }
        : {}),
      ...(quota.limit !== undefined ? { limit: resources(quota.limit, `${p}.quota.limit`) } : {}),
    };
  });
  const frameworks: Scenario['frameworks'] = list(doc.frameworks, 'frameworks').map((f, i) => {
    const p = `frameworks[${i}]`;
    if (!isObject(f)) throw new ValidationError(p, 'expected a map');
    const name = str(f.name, `${p}.name`);
    const roleList =
      f.roles === undefined
        ? [str(f.role ?? '*', `${p}.role`)]
        : list(f.roles, `${p}.roles`).map((r, j) => str(r, `${p}.roles[${j}]`));
    roleList.forEach((r, j) => validateRole(r, `${p}.roles[${j}]`));
    const task = resources(f.task, `${p}.task`);
    if (task.isEmpty()) throw new ValidationError(`${p}.task`, 'a task needs some resources');
    return {
      name,
      roles: roleList,
      task,
      count: num(f.count, `${p}.count`, 1),
      tasksPerOffer: num(f.tasksPerOffer, `${p}.tasksPerOffer`, 1, 1),
      constraints: labels(f.constraints, `${p}.constraints`),
    };
  });
  const names = new Set<string>();
  for (const [i, f] of frameworks.entries()) {
    if (names.has(f.name))
      throw new ValidationError(`frameworks[${i}].name`, `duplicate framework "${f.name}"`);
    names.add(f.name);
  }
  const options = isObject(doc.options) ? doc.options : {};
  const fairness = options.fairness ?? 'drf';
  if (fairness !== 'drf' && fairness !== 'random')
    throw new ValidationError('options.fairness', 'expected drf or random');
  return {
    agents,
    roles,
    frameworks,
    fairness,
    seed: num(options.seed, 'options.seed', 0),
    maxRounds: num(options.maxRounds, 'options.maxRounds', 100000, 1),
  };
}

/** Runs a scenario to completion. */
export function simulate(s: Scenario): SimulationResult {
  let pending: [string, OfferedResources[]][] = [];
  let now = 0;
  const allocator = new HierarchicalAllocator({
    clock: { now: () => now },
    fairness: s.fairness,
    seed: s.seed,
    offerCallback: (fw, offers) => pending.push([fw, offers]),
  });
  allocator.pause();
  for (const r of s.roles) {
    if (r.weight !== 1) allocator.updateWeights([{ role: r.name, weight: r.weight }]);
    if (r.guarantee ?? r.limit)
      allocator.updateQuota(r.name, {
        ...(r.guarantee ? { guarantee: r.guarantee } : {}),
        ...(r.limit ? { limit: r.limit } : {}),
      });
  }
  const attributes = new Map<string, Record<string, string>>();
  for (const a of s.agents) {
    allocator.addAgent(
      a.name,
      { hostname: a.name, attributes: a.attributes },
      a.resources,
      new Map(),
    );
    attributes.set(a.name, a.attributes);
  }
  const byName = new Map(s.frameworks.map((f) => [f.name, f]));
  const tasks = new Map<string, number>();
  const taskRoles = new Map<string, Map<string, number>>();
  for (const f of s.frameworks) {
    allocator.addFramework(f.name, { roles: f.roles }, new Map());
    tasks.set(f.name, 0);
    if (f.count === 0) allocator.suppressOffers(f.name);
  }
  allocator.resume();
  let rounds = 0;
  while (rounds < s.maxRounds) {
    rounds++;
    pending = [];
    allocator.allocate();
    if (pending.length === 0) break;
    for (const [name, offers] of pending) {
      const f = byName.get(name);
      if (!f) continue;
      for (const offer of offers) {
        let left = offer.resources;
        let launched = 0;
        const attrs = attributes.get(offer.agentId) ?? {};
        const fits = Object.entries(f.constraints).every(([k, v]) => attrs[k] === v);
        // Tasks take unreserved or reserved resources alike: match on the flattened view.
        while (fits && launched < f.tasksPerOffer && (tasks.get(name) ?? 0) < f.count) {
          const use = take(left, f.task);
          if (!use) break;
          left = left.subtract(use);
          launched++;
          tasks.set(name, (tasks.get(name) ?? 0) + 1);
          const perRole = taskRoles.get(name) ?? new Map<string, number>();
          perRole.set(offer.role, (perRole.get(offer.role) ?? 0) + 1);
          taskRoles.set(name, perRole);
        }
        allocator.recoverResources(name, offer.agentId, left, {
          refuseSeconds: launched > 0 ? 0 : 365 * 24 * 3600,
        });
        if ((tasks.get(name) ?? 0) >= f.count) allocator.suppressOffers(name);
      }
    }
    now += 1000;
  }
  return report(s, allocator, tasks, taskRoles, rounds);
}

/** The part of `offer` one task of `task` uses, preferring reserved resources; undefined if it does not fit. */
function take(offer: Resources, task: Resources): Resources | undefined {
  if (!offer.flatten().contains(task)) return undefined;
  const need = new Map(task.quantities());
  const parts: Resources[] = [];
  const ordered = [...offer.entries].sort((a, b) => b.reservations.length - a.reservations.length);
  for (const e of ordered) {
    const want = need.get(e.name) ?? 0;
    if (e.kind !== 'scalar' || want <= 0) continue;
    const use = Math.min(want, e.milli);
    need.set(e.name, want - use);
    parts.push(Resources.fromEntries([{ ...e, milli: use }]));
  }
  return parts.reduce((a, b) => a.add(b), Resources.EMPTY);
}

function report(
  s: Scenario,
  allocator: HierarchicalAllocator,
  tasks: Map<string, number>,
  taskRoles: Map<string, Map<string, number>>,
  rounds: number,
): SimulationResult {
  const total = new Map<string, number>();
  for (const a of s.agents) addInto(total, a.resources.quantities(), 1);
  const allocated = new Map<string, number>();
  const frameworks: SimulationResult['frameworks'] = {};
  const roleAlloc = new Map<string, Map<string, number>>();
  const roleTasks = new Map<string, number>();
  for (const f of s.frameworks) {
    const q = allocator.frameworkQuantities(f.name);
    addInto(allocated, q, 1);
    frameworks[f.name] = {
      role: f.roles.join(','),
      demand: f.count,
      tasks: tasks.get(f.name) ?? 0,
      allocated: quantitiesToObject(q),
      dominantShare: round4(dominantShare(q, total)),
    };
    for (const [role, n] of taskRoles.get(f.name) ?? [])
      roleTasks.set(role, (roleTasks.get(role) ?? 0) + n);
  }
  for (const id of allocator.agentIds()) {
    for (const [role, res] of allocator.agentRoleAllocation(id)) {
      const m = roleAlloc.get(role) ?? new Map<string, number>();
      addInto(m, res.quantities(), 1);
      roleAlloc.set(role, m);
    }
  }
  const roleNames = new Set([
    ...s.roles.map((r) => r.name),
    ...s.frameworks.flatMap((f) => f.roles),
  ]);
  const roles: SimulationResult['roles'] = {};
  // A parent role reports its whole subtree (eng includes eng/backend), as quota counts it.
  const inSubtree = (role: string, name: string): boolean =>
    role === name || role.startsWith(`${name}/`);
  for (const name of [...roleNames].sort()) {
    const q = new Map<string, number>();
    let n = 0;
    for (const [role, alloc] of roleAlloc) if (inSubtree(role, name)) addInto(q, alloc, 1);
    for (const [role, t] of roleTasks) if (inSubtree(role, name)) n += t;
    roles[name] = {
      weight: s.roles.find((r) => r.name === name)?.weight ?? 1,
      tasks: n,
      allocated: quantitiesToObject(q),
      dominantShare: round4(dominantShare(q, total)),
    };
  }
  return {
    frameworks,
    roles,
    cluster: { total: quantitiesToObject(total), allocated: quantitiesToObject(allocated) },
    rounds,
  };
}
