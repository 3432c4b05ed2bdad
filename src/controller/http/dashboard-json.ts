/**
 * The dashboard's view as JSON text per item, and the stream's events built from it. At
 * 10,000 tasks, serializing every task's item each tick and again for each page that
 * opens cost the controller hundreds of milliseconds to seconds (docs/dashboard.md); here
 * each agent's and task's text is remembered (json-fragments.ts, as /state does) and
 * built again only when what it reads changed, and the snapshot a page gets is joined
 * once per change of the view, not once per page.
 */
import type { ControllerCore } from '../core.js';
import type { AgentRecord, TaskRecord } from '../records.js';
import {
  agentItem,
  dashboardView,
  taskItem,
  type ControllerIdentity,
  type DashboardView,
  type StoredObjects,
} from './dashboard-view.js';
import { JsonFragments } from './json-fragments.js';

/** Serialized items of every collection, by collection then item ID. */
export type SerializedView = Map<string, Map<string, string>>;

/** Every item of `view` serialized afresh: the reference the remembered texts must equal. */
export function serializeView(view: DashboardView): SerializedView {
  const out: SerializedView = new Map();
  for (const [name, items] of view) {
    const m = new Map<string, string>();
    for (const [id, item] of items) m.set(id, JSON.stringify(item));
    out.set(name, m);
  }
  return out;
}

/** One SSE event: `event` line, one `data` line of JSON (JSON has no raw newlines). */
export function frame(event: string, body: string): string {
  return `event: ${event}\ndata: ${body}\n\n`;
}

/** The `snapshot` event of a whole view. */
export function snapshotOf(sent: SerializedView): string {
  const parts: string[] = [];
  for (const [name, items] of sent) {
    const entries: string[] = [];
    for (const [id, json] of items) entries.push(`${JSON.stringify(id)}:${json}`);
    parts.push(`${JSON.stringify(name)}:{${entries.join(',')}}`);
  }
  return frame('snapshot', `{${parts.join(',')}}`);
}

/** The `delta` event from `before` to `after`, or undefined when nothing changed. */
export function deltaOf(before: SerializedView, after: SerializedView): string | undefined {
  const upserts: string[] = [];
  const removes: string[] = [];
  for (const [name, items] of after) {
    const old = before.get(name) ?? new Map<string, string>();
    const changed = [...items].filter(([id, json]) => old.get(id) !== json);
    const gone = [...old.keys()].filter((id) => !items.has(id));
    if (changed.length > 0) {
      const entries = changed.map(([id, json]) => `${JSON.stringify(id)}:${json}`);
      upserts.push(`${JSON.stringify(name)}:{${entries.join(',')}}`);
    }
    if (gone.length > 0) removes.push(`${JSON.stringify(name)}:${JSON.stringify(gone)}`);
  }
  if (upserts.length === 0 && removes.length === 0) return undefined;
  return frame('delta', `{"upsert":{${upserts.join(',')}},"remove":{${removes.join(',')}}}`);
}

/** One controller's dashboard view as text, with each agent's and task's text remembered. */
export class DashboardJson {
  private readonly agents: JsonFragments<AgentRecord>;
  private readonly tasks: JsonFragments<TaskRecord>;

  constructor(private readonly core: ControllerCore) {
    // Each key lists everything its item reads that a change replaces or mutates (the
    // allocator replaces an agent's `allocated` on every change, never mutates it).
    this.agents = new JsonFragments(
      (a) => [
        a.info,
        a.total,
        a.state,
        a.tasks.size,
        core.allocator.agentResources(a.id)?.allocated,
      ],
      (a) => agentItem(core, a),
    );
    this.tasks = new JsonFragments(
      (t) => [t.info, t.frameworkId, t.agentId, t.role, t.state, t.status, t.resources],
      taskItem,
    );
  }

  /** The view now, serialized: the same text as {@link serializeView} of the view built afresh. */
  serialize(
    identity: ControllerIdentity,
    stored: StoredObjects,
    offerSeen: ReadonlyMap<string, number>,
  ): SerializedView {
    const out = serializeView(dashboardView(this.core, identity, stored, offerSeen, false));
    const agents = new Map<string, string>();
    for (const a of this.core.agents.values()) agents.set(a.id, this.agents.json(a));
    const tasks = new Map<string, string>();
    for (const t of this.core.tasks.values()) tasks.set(t.id, this.tasks.json(t));
    // Same keys, so the collections keep the view's order.
    out.set('agents', agents);
    out.set('tasks', tasks);
    return out;
  }
}
