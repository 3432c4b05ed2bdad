/**
 * The /state document: frameworks, agents, tasks, offers and shares as the controller
 * sees them now (JSON like Mesos' master /state). Served as text joined from each agent's,
 * task's and offer's remembered JSON (json-fragments.ts), so that a read at 50,000 agents
 * and 100,000 tasks serializes only what changed since the last one instead of blocking
 * the event loop for seconds.
 */
import type { ControllerCore } from '../core.js';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord } from '../records.js';
import { JsonFragments } from './json-fragments.js';

function frameworkView(core: ControllerCore, f: FrameworkRecord) {
  return {
    id: f.id,
    name: f.info.name,
    roles: f.roles,
    connected: f.connected,
    tasks: [...f.tasks],
    allocated: Object.fromEntries(core.allocator.frameworkQuantities(f.id)),
  };
}

function agentView(a: AgentRecord) {
  return {
    id: a.id,
    hostname: a.info.hostname,
    state: a.state,
    resources: a.total.toString(),
    attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
    tasks: a.tasks.size,
  };
}

function taskView(t: TaskRecord) {
  return {
    id: t.id,
    name: t.info.name,
    framework_id: t.frameworkId,
    agent_id: t.agentId,
    state: t.state,
    reason: t.status?.reason === 'REASON_UNSPECIFIED' ? undefined : t.status?.reason,
    message: t.status?.message,
    resources: t.resources.toString(),
  };
}

function offerView(o: OfferRecord) {
  return {
    id: o.id,
    framework_id: o.frameworkId,
    agent_id: o.agentId,
    role: o.role,
    resources: o.resources.toString(),
  };
}

/** The /state document as an object (for in-process callers; the route serves {@link stateJson}). */
export function stateOf(core: ControllerCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => frameworkView(core, f)),
    agents: [...core.agents.values()].map(agentView),
    tasks: [...core.tasks.values()].map(taskView),
    offers: core.offers.all().map(offerView),
    shares: Object.fromEntries(core.allocator.frameworkShares()),
  };
}

/** Remembered texts of one controller's agents, tasks and offers. */
interface Fragments {
  agents: JsonFragments<AgentRecord>;
  tasks: JsonFragments<TaskRecord>;
  offers: JsonFragments<OfferRecord>;
}

const byCore = new WeakMap<ControllerCore, Fragments>();

function fragmentsOf(core: ControllerCore): Fragments {
  let f = byCore.get(core);
  if (!f) {
    f = {
      // Everything each view reads that a change replaces or mutates.
      agents: new JsonFragments((a) => [a.info, a.total, a.state, a.tasks.size], agentView),
      tasks: new JsonFragments(
        (t) => [t.info, t.frameworkId, t.agentId, t.state, t.status, t.resources],
        taskView,
      ),
      // An offer never changes while outstanding.
      offers: new JsonFragments(() => [], offerView),
    };
    byCore.set(core, f);
  }
  return f;
}

/** The /state document as JSON text: the same document as `JSON.stringify(stateOf(core))`. */
export function stateJson(core: ControllerCore): string {
  const f = fragmentsOf(core);
  const frameworks = [...core.frameworks.values()].map((fw) => frameworkView(core, fw));
  return [
    `{"frameworks":${JSON.stringify(frameworks)}`,
    `,"agents":${f.agents.array(core.agents.values())}`,
    `,"tasks":${f.tasks.array(core.tasks.values())}`,
    `,"offers":${f.offers.array(core.offers.all())}`,
    `,"shares":${JSON.stringify(Object.fromEntries(core.allocator.frameworkShares()))}}`,
  ].join('');
}
