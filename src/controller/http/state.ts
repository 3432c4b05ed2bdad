/**
 * The /state document: frameworks, agents, tasks, offers and shares as the controller
 * sees them now (JSON like Mesos' master /state). Served as text joined from each agent's,
 * task's and offer's remembered JSON (json-fragments.ts), so that a read at 50,000 agents
 * and 100,000 tasks serializes only what changed since the last one instead of blocking
 * the event loop for seconds.
 */
import type { ControllerCore } from '../core.js';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord } from '../records.js';
import { JsonFragments, part, type Part } from './json-fragments.js';

/** A framework's view up to its tasks (stateBytes remembers the tasks' text apart). */
function frameworkHead(core: ControllerCore, f: FrameworkRecord) {
  return {
    id: f.id,
    name: f.info.name,
    roles: f.roles,
    connected: f.connected,
    // Absent with --offer-allowance=off.
    offer_allowance: core.offerAllowance(f.id),
  };
}

function frameworkView(core: ControllerCore, f: FrameworkRecord) {
  return {
    ...frameworkHead(core, f),
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

/** The /state document as an object (for in-process callers; the route serves {@link stateBytes}). */
export function stateOf(core: ControllerCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => frameworkView(core, f)),
    agents: [...core.agents.values()].map(agentView),
    tasks: [...core.tasks.values()].map(taskView),
    offers: core.offers.all().map(offerView),
    shares: Object.fromEntries(core.allocator.frameworkShares()),
  };
}

/** A framework's text in the document and what it was built from. */
interface FrameworkPiece {
  head: string;
  /** The task IDs as of the build, and their JSON array. */
  taskIds: string[];
  tasks: string;
  allocated: string;
  part: Part;
}

/** Remembered texts of one controller's agents, tasks, offers and frameworks. */
interface Fragments {
  agents: JsonFragments<AgentRecord>;
  tasks: JsonFragments<TaskRecord>;
  offers: JsonFragments<OfferRecord>;
  frameworks: WeakMap<FrameworkRecord, FrameworkPiece>;
  /** The last document's parts and bytes: the same parts again are the same bytes. */
  last?: { parts: Part[]; body: Buffer };
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
      frameworks: new WeakMap(),
    };
    byCore.set(core, f);
  }
  return f;
}

const FRAMEWORKS = part('{"frameworks":[');
const COMMA = part(',');
const AGENTS = part('],"agents":');
const TASKS = part(',"tasks":');
const OFFERS = part(',"offers":');

/**
 * One framework's view as text, built again only when its head (ID, name, roles,
 * connected), its task IDs or its allocation changed: its 500 task IDs at 100,000 tasks
 * were copied and serialized on every read.
 */
function frameworkPart(
  core: ControllerCore,
  known: WeakMap<FrameworkRecord, FrameworkPiece>,
  fw: FrameworkRecord,
): Part {
  const head = JSON.stringify(frameworkHead(core, fw));
  const allocated = JSON.stringify(Object.fromEntries(core.allocator.frameworkQuantities(fw.id)));
  const k = known.get(fw);
  const sameTasks = k !== undefined && sameSequence(k.taskIds, fw.tasks);
  if (k && sameTasks && k.head === head && k.allocated === allocated) return k.part;
  const taskIds = sameTasks ? k.taskIds : [...fw.tasks];
  const tasks = sameTasks ? k.tasks : JSON.stringify(taskIds);
  // `head` is an object with at least the ID: its closing brace gives way to the rest.
  const json = `${head.slice(0, -1)},"tasks":${tasks},"allocated":${allocated}}`;
  const p = part(json);
  known.set(fw, { head, taskIds, tasks, allocated, part: p });
  return p;
}

function sameSequence(a: readonly string[], b: Set<string>): boolean {
  if (a.length !== b.size) return false;
  let i = 0;
  for (const x of b) if (x !== a[i++]) return false;
  return true;
}

/** Whether two documents' parts are the same text: mostly the very same parts. */
function sameParts(a: readonly Part[], b: readonly Part[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]?.text !== b[i]?.text) return false;
  return true;
}

/**
 * The /state document as UTF-8 bytes (what the route sends), from remembered parts: a
 * read joins again only the blocks of agents and tasks and the frameworks that changed,
 * writes all into one Buffer, and after no change at all returns the last read's Buffer.
 */
export function stateBytes(core: ControllerCore): Buffer {
  const f = fragmentsOf(core);
  const parts: Part[] = [FRAMEWORKS];
  let first = true;
  for (const fw of core.frameworks.values()) {
    if (!first) parts.push(COMMA);
    first = false;
    parts.push(frameworkPart(core, f.frameworks, fw));
  }
  parts.push(AGENTS, ...f.agents.parts(core.agents.values()), TASKS);
  parts.push(...f.tasks.parts(core.tasks.values()), OFFERS);
  parts.push(...f.offers.parts(core.offers.all()));
  parts.push(
    part(`,"shares":${JSON.stringify(Object.fromEntries(core.allocator.frameworkShares()))}}`),
  );
  const last = f.last;
  // Equal strings that are the same string compare at once; a block joined again compares.
  if (last && sameParts(last.parts, parts)) return last.body;
  const body = Buffer.allocUnsafe(parts.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of parts) at += body.write(p.text, at, 'utf8');
  f.last = { parts, body };
  return body;
}
