/** Building DOM: elements from a tag, attributes and children, and the widgets pages share. */

/** What may be a child: nodes, text, or nothing. */
export type Child = Node | string | number | undefined | null | false;

/** Attributes: strings, booleans (present or not), or `on…` event handlers. */
export type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

function fill(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** An HTML element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  fill(el, attrs, children);
  return el;
}

/** An SVG element. */
export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  fill(el, attrs, children);
  return el;
}

/** A table with a header row; rows are lists of cells. */
export function table(label: string, head: string[], rows: Child[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { 'aria-label': label },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

/** A counter card: a label over a big value. */
export function statCard(label: string, value: Child, id?: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'muted' }, label),
    h('div', { class: 'big', id }, value),
  );
}

/** A link to a page of the dashboard. */
export function link(route: string, text: string): HTMLAnchorElement {
  return h('a', { href: `#/${route}` }, text);
}

/** A horizontal bar of parts (value, css class, label), out of `total`. */
export function bar(parts: [number, string, string][], total: number, label: string): HTMLElement {
  const el = h('div', { class: 'bar', role: 'img', 'aria-label': label, title: label });
  for (const [v, cls] of parts) {
    const pct = total > 0 ? Math.max(0, Math.min(100, (v / total) * 100)) : 0;
    el.append(h('span', { class: cls, style: `width:${pct.toFixed(2)}%` }));
  }
  return el;
}

/** A number with at most two decimals. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A time (ms since the epoch or ISO text) as local date and time, `2026-12-01 23:59:07`,
 * or '—'. Not `toLocaleString()`: its first call loads the locale's data, 20–50 ms of the
 * Overview's first render in a profile of the loaded bench machine.
 */
export function when(t: unknown): string {
  if (typeof t !== 'number' && typeof t !== 'string') return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How long ago `ms` was, e.g. `42 s`, `3 min`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** A state badge: TASK_RUNNING → "running", coloured by class. */
export function badge(state: string): HTMLElement {
  const text = state.replace(/^TASK_/, '').toLowerCase();
  return h('span', { class: `badge s-${text}` }, text || '—');
}

/** "cpus 1 · mem 128" from a quantities record. */
export function quantities(q: Record<string, unknown>): string {
  const parts = Object.entries(q)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .map(([k, v]) => `${k} ${fmt(v)}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}
