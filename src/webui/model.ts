/**
 * The page's copy of the controller's view: collections of items by ID, replaced by each
 * `snapshot` and patched by each `delta` of the stream, with listeners told of changes.
 */
import { isRecord } from './api.js';

/** An item as the stream sends it. */
export type Item = Record<string, unknown>;

const collections = new Map<string, Map<string, Item>>();
const listeners = new Set<(changed: ReadonlySet<string>) => void>();
/**
 * Each collection's items in ID order, kept until the collection changes: every redraw
 * asks for them, and sorting 10,000 tasks each time would be most of a redraw's cost.
 */
const sorted = new Map<string, Item[]>();

/** Items of one collection, in ID order (do not modify the array). */
export function items(name: string): Item[] {
  const cached = sorted.get(name);
  if (cached) return cached;
  const c = collections.get(name);
  if (!c) return [];
  const list = [...c.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  sorted.set(name, list);
  return list;
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

function records(v: unknown): [string, Item][] {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, Item] => isRecord(e[1]));
}

/** Applies one stream event. */
export function applyEvent(event: string, data: unknown): void {
  if (!isRecord(data)) return;
  const changed = new Set<string>();
  if (event === 'snapshot') {
    for (const name of collections.keys()) changed.add(name);
    collections.clear();
    sorted.clear();
    for (const [name, list] of Object.entries(data)) {
      collections.set(name, new Map(records(list)));
      changed.add(name);
    }
  } else if (event === 'delta') {
    for (const [name, list] of Object.entries(isRecord(data.upsert) ? data.upsert : {})) {
      let c = collections.get(name);
      if (!c) collections.set(name, (c = new Map<string, Item>()));
      sorted.delete(name);
      changed.add(name);
      for (const [id, v] of records(list)) c.set(id, v);
    }
    for (const [name, ids] of Object.entries(isRecord(data.remove) ? data.remove : {})) {
      if (!Array.isArray(ids)) continue;
      sorted.delete(name);
      changed.add(name);
      for (const id of ids) if (typeof id === 'string') collections.get(name)?.delete(id);
    }
  } else return;
  notify(changed);
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
