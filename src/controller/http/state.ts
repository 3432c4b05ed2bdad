/**
 * The /state document: frameworks, agents, tasks, offers and shares as the controller
 * sees them now (JSON like Mesos' master /state).
 */
import type { ControllerCore } from '../core.js';

/** The /state document. */
export function stateOf(core: ControllerCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => ({
      id: f.id,
      name: f.info.name,
      roles: f.roles,
      connected: f.connected,
      tasks: [...f.tasks],
      allocated: Object.fromEntries(core.allocator.frameworkQuantities(f.id)),
    })),
    agents: [...core.agents.values()].map((a) => ({
      id: a.id,
      hostname: a.info.hostname,
      state: a.state,
      resources: a.total.toString(),
      attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
      tasks: a.tasks.size,
    })),
    tasks: [...core.tasks.values()].map((t) => ({
      id: t.id,
      name: t.info.name,
      framework_id: t.frameworkId,
      agent_id: t.agentId,
      state: t.state,
      reason: t.status?.reason === 'REASON_UNSPECIFIED' ? undefined : t.status?.reason,
      message: t.status?.message,
      resources: t.resources.toString(),
    })),
    offers: core.offers.all().map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      agent_id: o.agentId,
      role: o.role,
      resources: o.resources.toString(),
    })),
    shares: Object.fromEntries(core.allocator.frameworkShares()),
  };
}
