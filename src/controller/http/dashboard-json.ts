/**
 * The dashboard's view as JSON text per item, and the stream's events built from it. At
 * 10,000 tasks, serializing every task's item each tick and again for each page that
 * opens cost the controller hundreds of milliseconds to seconds (docs/dashboard.md); here
 * each agent's and task's text is remembered and built again only when what it reads
 * changed, a tick's delta names the items its pass found changed without diffing the
 * whole view again, and the snapshot a page gets is joined once per change of the view,
 * not once per page.
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
import { BulkTexts, type BulkChanges } from './bulk-texts.js';

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

/** The changes from `old` to `items`: changed items as `"id":json` entries, and the IDs gone. */
function changes(
  old: ReadonlyMap<string, string>,
  items: ReadonlyMap<string, string>,
): BulkChanges {
  const changed: string[] = [];
  for (const [id, json] of items)
    if (old.get(id) !== json) changed.push(`${JSON.stringify(id)}:${json}`);
  const gone: string[] = [];
  for (const id of old.keys()) if (!items.has(id)) gone.push(id);
  return { changed, gone };
}

/** The `delta` event of each collection's changes, or undefined when there are none. */
function deltaFrom(byCollection: Iterable<[string, BulkChanges]>): string | undefined {
  const upserts: string[] = [];
  const removes: string[] = [];
  for (const [name, { changed, gone }] of byCollection) {
    if (changed.length > 0) upserts.push(`${JSON.stringify(name)}:{${changed.join(',')}}`);
    if (gone.length > 0) removes.push(`${JSON.stringify(name)}:${JSON.stringify(gone)}`);
  }
  if (upserts.length === 0 && removes.length === 0) return undefined;
  return frame('delta', `{"upsert":{${upserts.join(',')}},"remove":{${removes.join(',')}}}`);
}

/** The `delta` event from `before` to `after`, or undefined when nothing changed. */
export function deltaOf(before: SerializedView, after: SerializedView): string | undefined {
  return deltaFrom(
    [...after].map(([name, items]): [string, BulkChanges] => [
      name,
      changes(before.get(name) ?? new Map<string, string>(), items),
    ]),
  );
}

/**
 * One controller's dashboard view as text, with each agent's and task's text remembered
 * and brought up to date by one pass per tick that builds nothing for an unchanged record
 * (bulk-texts.ts); the other collections (frameworks, offers, roles, Apps, ...; hundreds
 * of items, not tens of thousands) are built and diffed afresh each pass.
 */
export class DashboardJson {
  private readonly agents: BulkTexts<AgentRecord>;
  private readonly tasks: BulkTexts<TaskRecord>;
  /** The other collections as of the last pass; undefined before the first. */
  private small: SerializedView | undefined;

  constructor(private readonly core: ControllerCore) {
    // Each key lists everything its item reads that a change replaces or mutates (the
    // allocator replaces an agent's `allocated` on every change, never mutates it).
    const allocated = (a: AgentRecord) => core.allocator.agentResources(a.id)?.allocated;
    this.agents = new BulkTexts(
      (a) => [a.info, a.total, a.state, a.tasks.size, allocated(a)],
      (a, k) =>
        k[0] === a.info &&
        k[1] === a.total &&
        k[2] === a.state &&
        k[3] === a.tasks.size &&
        k[4] === allocated(a),
      (a) => agentItem(core, a),
    );
    this.tasks = new BulkTexts(
      (t) => [t.info, t.frameworkId, t.agentId, t.role, t.state, t.status, t.resources],
      (t, k) =>
        k[0] === t.info &&
        k[1] === t.frameworkId &&
        k[2] === t.agentId &&
        k[3] === t.role &&
        k[4] === t.state &&
        k[5] === t.status &&
        k[6] === t.resources,
      taskItem,
    );
  }

  /**
   * A pass: brings every text up to date and returns the `delta` event from the last pass
   * to now, or undefined when nothing changed or this is the first pass.
   */
  advance(
    identity: ControllerIdentity,
    stored: StoredObjects,
    offerSeen: ReadonlyMap<string, number>,
  ): string | undefined {
    const small = serializeView(dashboardView(this.core, identity, stored, offerSeen, false));
    const before = this.small;
    this.small = small;
    const agents = this.agents.update(this.core.agents.values());
    const tasks = this.tasks.update(this.core.tasks.values());
    if (!before) return undefined;
    const none = new Map<string, string>();
    return deltaFrom(
      [...small].map(([name, items]): [string, BulkChanges] => [
        name,
        name === 'agents'
          ? agents
          : name === 'tasks'
            ? tasks
            : changes(before.get(name) ?? none, items),
      ]),
    );
  }

  /** The `snapshot` event of the view as of the last pass. */
  snapshot(): string {
    const parts: string[] = [];
    for (const [name, items] of this.small ?? new Map<string, Map<string, string>>()) {
      let text: string;
      if (name === 'agents') text = this.agents.object();
      else if (name === 'tasks') text = this.tasks.object();
      else {
        const entries: string[] = [];
        for (const [id, json] of items) entries.push(`${JSON.stringify(id)}:${json}`);
        text = `{${entries.join(',')}}`;
      }
      parts.push(`${JSON.stringify(name)}:${text}`);
    }
    return frame('snapshot', `{${parts.join(',')}}`);
  }

  /**
   * A pass, and the view it reached, serialized: the same text as {@link serializeView}
   * of the view built afresh, in the same order.
   */
  serialize(
    identity: ControllerIdentity,
    stored: StoredObjects,
    offerSeen: ReadonlyMap<string, number>,
  ): SerializedView {
    this.advance(identity, stored, offerSeen);
    const out: SerializedView = new Map(this.small);
    const texts = <T extends { id: string }>(records: Iterable<T>, bulk: BulkTexts<T>) => {
      const m = new Map<string, string>();
      for (const r of records) m.set(r.id, bulk.json(r.id) ?? '');
      return m;
    };
    // Same keys, so the collections keep the view's order.
    out.set('agents', texts(this.core.agents.values(), this.agents));
    out.set('tasks', texts(this.core.tasks.values(), this.tasks));
    return out;
  }
}
