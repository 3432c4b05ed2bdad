/**
 * Table output for `mezzo get`, in kubectl's manner: object kinds print the same columns
 * their CRDs declare (one source, so `kubectl get apps` and `mezzo get apps` agree).
 */
import { KINDS, type PrinterColumn } from '../../api/v1alpha1/index.js';

/** Renders one cell: lists joined by commas, objects as JSON, absent as empty. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(cell).join(',');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return `${v}`;
  return JSON.stringify(v);
}

/**
 * A cell of a live-state table (`mezzo get tasks`, …): as {@link cell}, except that a
 * protobuf enum's zero value (`REASON_UNSPECIFIED`), which proto3 sends for "not set",
 * prints as nothing: a reason that says there is no reason is noise in every row.
 */
export function stateCell(v: unknown): string {
  return typeof v === 'string' && /^[A-Z][A-Z0-9_]*_UNSPECIFIED$/.test(v) ? '' : cell(v);
}

/** A table with upper-case headers and columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return (
    cells
      .map((row) =>
        row
          .map((v, i) => v.padEnd(widths[i] ?? 0))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Reads a CRD printer column's simple JSONPath (`.status.deployment.id`) from an object. */
export function readPath(obj: unknown, jsonPath: string): unknown {
  let cur: unknown = obj;
  for (const part of jsonPath.split('.').filter((p) => p !== '')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `3m`, `2h`, `5d`: kubectl's age format. */
export function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string') return '';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** An object kind `mezzo get` lists from the store. */
export interface ObjectKind {
  kind: string;
  columns: PrinterColumn[];
}

/** Object kinds by every name `get` accepts: plural, singular and short names. */
export function objectKinds(): Map<string, ObjectKind> {
  const out = new Map<string, ObjectKind>();
  for (const k of KINDS) {
    const entry = { kind: k.kind, columns: k.printerColumns.filter((c) => !c.priority) };
    for (const n of [k.plural, k.singular, ...k.shortNames]) out.set(n, entry);
  }
  return out;
}

/** Rows of objects under their CRD's columns, with NAME (and NAMESPACE) first. */
export function objectTable(objects: unknown[], kind: ObjectKind, now: number): string {
  const namespaced = objects.some((o) => readPath(o, '.metadata.namespace') !== undefined);
  const headers = [
    ...(namespaced ? ['namespace'] : []),
    'name',
    ...kind.columns.map((c) => c.name),
  ];
  const rows = objects.map((o) => [
    ...(namespaced ? [cell(readPath(o, '.metadata.namespace'))] : []),
    cell(readPath(o, '.metadata.name')),
    ...kind.columns.map((c) =>
      c.type === 'date' && c.name === 'Age'
        ? age(readPath(o, c.jsonPath), now)
        : cell(readPath(o, c.jsonPath)),
    ),
  ]);
  return table(headers, rows);
}
