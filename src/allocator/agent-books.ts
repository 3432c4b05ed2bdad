/**
 * Agent-side bookkeeping verbs of the allocator: registering and removing agents,
 * changing their totals, returning resources and converting allocations (RESERVE).
 * They keep agent totals, sorter totals, reservations and allocations consistent; the
 * allocator class adds the dirty tracking around them.
 */
import { InvariantError, ValidationError } from '../shared/errors.js';
import { isAllocatableTo } from './resource-entry.js';
import { Resources } from './resources.js';
import type { AgentState, AllocatorState } from './state.js';

/** Creates an agent with what frameworks already use there. */
export function registerAgent(
  state: AllocatorState,
  id: string,
  info: { hostname: string; attributes?: Record<string, string> },
  total: Resources,
  used: Map<string, Resources>,
): AgentState {
  if (state.agents.has(id)) throw new InvariantError(`agent ${id} already added`);
  const agent: AgentState = {
    id,
    hostname: info.hostname,
    attributes: info.attributes ?? {},
    total,
    allocated: Resources.EMPTY,
    available: Resources.EMPTY,
    byFramework: new Map(),
    orphans: new Map(),
    active: true,
    maintenance: false,
  };
  state.agents.set(id, agent);
  state.changeTotals(total.quantities(), 1);
  state.trackReservations(total, 'reserved', 1);
  state.setAvailable(agent, total);
  for (const [frameworkId, res] of used) {
    const fw = state.frameworks.get(frameworkId);
    if (fw) {
      // Without allocation info on resources, used resources count in the first role.
      forceAllocate(state, frameworkId, [...fw.roles][0] ?? '*', agent, res);
    } else {
      agent.orphans.set(frameworkId, res);
      agent.allocated = agent.allocated.add(res);
      state.setAvailable(agent, total.subtract(agent.allocated));
    }
  }
  return agent;
}

/** Removes an agent, returning every allocation on it. */
export function unregisterAgent(state: AllocatorState, agent: AgentState): void {
  for (const [frameworkId, roles] of [...agent.byFramework]) {
    for (const [role, res] of [...roles]) state.unallocate(frameworkId, role, agent, res);
  }
  state.setAvailable(agent, Resources.EMPTY);
  state.changeTotals(agent.total.quantities(), -1);
  state.trackReservations(agent.total, 'reserved', -1);
  state.filters.clearAgent(agent.id);
  state.agents.delete(agent.id);
  state.freeAgents.delete(agent.id);
}

/** Replaces an agent's total (the caller checked it covers the allocation). */
export function retotal(state: AllocatorState, agent: AgentState, total: Resources): void {
  state.changeTotals(agent.total.quantities(), -1);
  state.trackReservations(agent.total, 'reserved', -1);
  agent.total = total;
  state.changeTotals(total.quantities(), 1);
  state.trackReservations(total, 'reserved', 1);
  state.setAvailable(agent, total.subtract(agent.allocated));
}

/**
 * Returns what the framework holds of `resources` on the agent. Without allocation info
 * on resources, a role holding all of them is preferred; otherwise they are taken role
 * by role. What the framework does not hold is ignored (a late duplicate).
 */
export function returnResources(
  state: AllocatorState,
  frameworkId: string,
  agent: AgentState,
  resources: Resources,
): void {
  const orphan = agent.orphans.get(frameworkId);
  if (orphan) {
    const part = orphan.subtract(orphan.subtract(resources));
    const left = orphan.subtract(part);
    if (left.isEmpty()) agent.orphans.delete(frameworkId);
    else agent.orphans.set(frameworkId, left);
    agent.allocated = agent.allocated.subtract(part);
    state.setAvailable(agent, agent.total.subtract(agent.allocated));
  }
  const held = agent.byFramework.get(frameworkId);
  if (!held) return;
  let remaining = resources;
  const whole = [...held].find(([, res]) => res.contains(remaining));
  const parts = whole ? [whole] : [...held];
  for (const [role, res] of parts) {
    const part = res.subtract(res.subtract(remaining));
    state.unallocate(frameworkId, role, agent, part);
    remaining = remaining.subtract(part);
    if (remaining.isEmpty()) break;
  }
}

/**
 * Converts part of a framework's allocation as an accepted operation does (RESERVE:
 * unreserved → reserved), in the allocation and in the agent's total alike.
 */
export function convertAllocation(
  state: AllocatorState,
  frameworkId: string,
  agent: AgentState,
  from: Resources,
  to: Resources,
): void {
  const held = agent.byFramework.get(frameworkId);
  const entry = held && [...held].find(([, res]) => res.contains(from));
  if (!entry) {
    throw new InvariantError(
      `framework ${frameworkId} does not hold ${from.toString()} on agent ${agent.id}`,
    );
  }
  const [role] = entry;
  // A framework reserves for the role it holds the resources in (Mesos' rule): a
  // reservation for another role would charge that role's quota behind its back.
  for (const e of to.entries) {
    if (e.reservations.length > 0 && !isAllocatableTo(e.role, role)) {
      throw new ValidationError(
        'to',
        `resources reserved to "${e.role}" cannot be held by a framework in role "${role}"`,
      );
    }
  }
  state.record(frameworkId, role, agent, from, -1);
  state.changeTotals(agent.total.quantities(), -1);
  state.trackReservations(agent.total, 'reserved', -1);
  agent.total = agent.total.subtract(from).add(to);
  agent.allocated = agent.allocated.subtract(from).add(to);
  state.changeTotals(agent.total.quantities(), 1);
  state.trackReservations(agent.total, 'reserved', 1);
  state.record(frameworkId, role, agent, to, 1);
  state.setAvailable(agent, agent.total.subtract(agent.allocated));
}

/** Records resources as in use without checking availability (recovered state). */
export function forceAllocate(
  state: AllocatorState,
  frameworkId: string,
  role: string,
  agent: AgentState,
  res: Resources,
): void {
  agent.allocated = agent.allocated.add(res);
  state.setAvailable(agent, agent.total.subtract(agent.allocated));
  state.record(frameworkId, role, agent, res, 1);
}
