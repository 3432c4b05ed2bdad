/**
 * The page's copy of the controller's view: collections of items by ID, replaced by each
 * `snapshot` and patched by each `delta` of the stream, with listeners told of changes.
 */
import { isRecord } from './api.js';

/** An item as the stream sends it. */
export type Item = Record<string, unknown>;

const collections = new Map<string, Map<string, Item>>();
const listeners = new Set<() => void>();
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

/** Calls `fn` after each change; returns the unsubscribe. */
export function onChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

function notify(): void {
  for (const fn of listeners) fn();
}

function records(v: unknown): [string, Item][] {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, Item] => isRecord(e[1]));
}

/** Applies one stream event. */
export function applyEvent(event: string, data: unknown): void {
  if (!isRecord(data)) return;
  if (event === 'snapshot') {
    collections.clear();
    sorted.clear();
    for (const [name, list] of Object.entries(data)) collections.set(name, new Map(records(list)));
  } else if (event === 'delta') {
    for (const [name, list] of Object.entries(isRecord(data.upsert) ? data.upsert : {})) {
      let c = collections.get(name);
      if (!c) collections.set(name, (c = new Map<string, Item>()));
      sorted.delete(name);
      for (const [id, v] of records(list)) c.set(id, v);
    }
    for (const [name, ids] of Object.entries(isRecord(data.remove) ? data.remove : {})) {
      if (!Array.isArray(ids)) continue;
      sorted.delete(name);
      for (const id of ids) if (typeof id === 'string') collections.get(name)?.delete(id);
    }
  } else return;
  notify();
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
