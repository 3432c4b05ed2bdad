/**
 * The page's copy of the controller's view: collections of items by ID, replaced by each
 * `snapshot` and patched by each `delta` of the stream, with listeners told of changes.
 */
import { isRecord, type StreamStatus } from './api.js';

/** An item as the stream sends it. */
export type Item = Record<string, unknown>;

const collections = new Map<string, Map<string, Item>>();
const listeners = new Set<(changed: ReadonlySet<string>) => void>();
/**
 * Each collection's items in ID order: every redraw asks for them, and sorting 10,000
 * tasks each time would be most of a redraw's cost. A delta patches them in place
 * (binary search), so the Tasks page does not sort 10,000 IDs again for each changed task.
 */
const sorted = new Map<string, { ids: string[]; items: Item[] }>();

function sortedOf(name: string): { ids: string[]; items: Item[] } | undefined {
  const cached = sorted.get(name);
  if (cached) return cached;
  const c = collections.get(name);
  if (!c) return undefined;
  // The default sort orders strings by code unit, as `<` does, without a comparator call.
  const ids = [...c.keys()].sort();
  const entry = { ids, items: ids.map((id) => c.get(id) ?? {}) };
  sorted.set(name, entry);
  return entry;
}

/** Items of one collection, in ID order (do not modify the array). */
export function items(name: string): Item[] {
  return sortedOf(name)?.items ?? [];
}

/**
 * Sorts the large collections ahead of need, one per task, so the first visit to the
 * Tasks page after the first render does not pay for it (60–130 ms for 10,000 tasks on
 * the loaded bench machine).
 */
export function warm(): void {
  const names = [...collections.keys()].filter((n) => !sorted.has(n));
  const next = () => {
    const name = names.shift();
    if (name === undefined) return;
    sortedOf(name);
    setTimeout(next, 0);
  };
  setTimeout(next, 0);
}

/** Where `id` is in `ids` (sorted), or where it would go. */
function position(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? '') < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps a sorted copy in step with one upsert or removal (`v` undefined). */
function patchSorted(name: string, id: string, v: Item | undefined): void {
  const s = sorted.get(name);
  if (!s) return;
  const at = position(s.ids, id);
  const present = s.ids[at] === id;
  if (v === undefined) {
    if (present) {
      s.ids.splice(at, 1);
      s.items.splice(at, 1);
    }
  } else if (present) s.items[at] = v;
  else {
    s.ids.splice(at, 0, id);
    s.items.splice(at, 0, v);
  }
}

/** One item, if present. */
export function item(name: string, id: string): Item | undefined {
  return collections.get(name)?.get(id);
}

/** Calls `fn` with the names of the collections that changed, after each change; returns the unsubscribe. */
export function onChange(fn: (changed: ReadonlySet<string>) => void): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

function notify(changed: ReadonlySet<string>): void {
  for (const fn of listeners) fn(changed);
}

/** How many items a collection holds (no sorting: the Overview only counts). */
export function size(name: string): number {
  return collections.get(name)?.size ?? 0;
}

/** How many items of a collection `pred` accepts. */
export function count(name: string, pred: (i: Item) => boolean): number {
  let n = 0;
  for (const i of collections.get(name)?.values() ?? []) if (pred(i)) n++;
  return n;
}

/** A collection's items as the stream sent them: only objects count as items. */
function records(v: unknown): Map<string, Item> {
  const out = new Map<string, Item>();
  if (!isRecord(v)) return out;
  for (const id in v) {
    const item = v[id];
    if (isRecord(item)) out.set(id, item);
  }
  return out;
}

/**
 * Past this many changes to one collection in one delta, its sorted copy is dropped and
 * made again when asked for, rather than patched item by item.
 */
const PATCH_LIMIT = 256;

/** Applies one stream event. */
export function applyEvent(event: string, data: unknown): void {
  if (!isRecord(data)) return;
  const changed = new Set<string>();
  if (event === 'snapshot') {
    for (const name of collections.keys()) changed.add(name);
    collections.clear();
    sorted.clear();
    for (const name in data) {
      collections.set(name, records(data[name]));
      changed.add(name);
    }
    performance.mark('mezzo:snapshot-applied');
  } else if (event === 'delta') {
    const upsert = isRecord(data.upsert) ? data.upsert : {};
    for (const name in upsert) {
      let c = collections.get(name);
      if (!c) collections.set(name, (c = new Map<string, Item>()));
      const list = records(upsert[name]);
      if (list.size > PATCH_LIMIT) sorted.delete(name);
      changed.add(name);
      for (const [id, v] of list) {
        c.set(id, v);
        patchSorted(name, id, v);
      }
    }
    const remove = isRecord(data.remove) ? data.remove : {};
    for (const name in remove) {
      const ids = remove[name];
      if (!Array.isArray(ids)) continue;
      if (ids.length > PATCH_LIMIT) sorted.delete(name);
      changed.add(name);
      for (const id of ids) {
        if (typeof id !== 'string') continue;
        collections.get(name)?.delete(id);
        patchSorted(name, id, undefined);
      }
    }
  } else return;
  notify(changed);
}

let status: StreamStatus = 'connecting';
const statusListeners = new Set<(s: StreamStatus) => void>();

/**
 * Records the stream's status. The stream starts before the page's shell has loaded
 * (main.ts), so the header learns the status from here, not from the stream itself.
 */
export function setStatus(s: StreamStatus): void {
  status = s;
  for (const fn of statusListeners) fn(s);
}

/** Calls `fn` with the stream's status now and after each change. */
export function onStatus(fn: (s: StreamStatus) => void): void {
  statusListeners.add(fn);
  fn(status);
}

/** A string field, or ''. */
export function str(o: unknown, key: string): string {
  const v = isRecord(o) ? o[key] : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A number field, or 0. */
export function num(o: unknown, key: string): number {
  const v = isRecord(o) ? o[key] : undefined;
  return typeof v === 'number' ? v : 0;
}

/** An object field, or {}. */
export function rec(o: unknown, key: string): Record<string, unknown> {
  const v = isRecord(o) ? o[key] : undefined;
  return isRecord(v) ? v : {};
}

/** A list field, or []. */
export function list(o: unknown, key: string): unknown[] {
  const v = isRecord(o) ? o[key] : undefined;
  return Array.isArray(v) ? (v as unknown[]) : [];
}
