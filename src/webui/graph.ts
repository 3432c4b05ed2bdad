/**
 * The schedules' dependency graph as SVG: a job's layer is the longest chain of parents
 * above it, jobs in a layer are ordered by their parents' mean position (one barycentre
 * pass), edges are curves from parent to child. Small graphs (jobs in the tens) read well
 * this way; see docs/dashboard.md for what a layout library would add.
 */
import { svg } from './dom.js';

/** A node: name, state class, parents. */
export interface GraphNode {
  name: string;
  state: string;
  parents: string[];
}

const W = 150;
const H = 36;
const GAP_X = 30;
const GAP_Y = 50;

/** Layers: a node's layer is 1 + its deepest parent's (parents outside the graph ignored). */
function layers(nodes: GraphNode[]): Map<string, number> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    // A cycle (refused by the API, but the graph must not hang on one): cut it here.
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const parents = byName.get(name)?.parents.filter((p) => byName.has(p)) ?? [];
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depth));
    visiting.delete(name);
    layer.set(name, d);
    return d;
  };
  for (const n of nodes) depth(n.name);
  return layer;
}

/** The graph as an <svg>. */
export function drawGraph(nodes: GraphNode[]): SVGElement {
  const layer = layers(nodes);
  const rows: GraphNode[][] = [];
  for (const n of nodes) (rows[layer.get(n.name) ?? 0] ??= []).push(n);
  const x = new Map<string, number>();
  for (const row of rows) {
    const centre = (n: GraphNode) => {
      const ps = n.parents.map((p) => x.get(p)).filter((v): v is number => v !== undefined);
      return ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : 0;
    };
    row.sort((a, b) => centre(a) - centre(b) || (a.name < b.name ? -1 : 1));
    row.forEach((n, i) => x.set(n.name, i));
  }
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = widest * (W + GAP_X) + GAP_X;
  const height = rows.length * (H + GAP_Y) + GAP_Y / 2;
  const pos = (name: string) => {
    const row = rows[layer.get(name) ?? 0] ?? [];
    const offset = ((widest - row.length) * (W + GAP_X)) / 2;
    return {
      x: GAP_X + offset + (x.get(name) ?? 0) * (W + GAP_X),
      y: GAP_Y / 2 + (layer.get(name) ?? 0) * (H + GAP_Y),
    };
  };
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `Dependency graph of ${nodes.length} jobs`,
  });
  for (const n of nodes) {
    const to = pos(n.name);
    for (const p of n.parents) {
      if (!layer.has(p)) continue;
      const from = pos(p);
      const x1 = from.x + W / 2;
      const y1 = from.y + H;
      const x2 = to.x + W / 2;
      const y2 = to.y;
      root.append(
        svg('path', {
          d: `M${x1},${y1} C${x1},${y1 + GAP_Y / 2} ${x2},${y2 - GAP_Y / 2} ${x2},${y2 - 4}`,
          'data-edge': `${p}->${n.name}`,
          'marker-end': 'url(#arrow)',
        }),
      );
    }
  }
  root.prepend(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 8 8',
          refX: 4,
          refY: 4,
          markerWidth: 8,
          markerHeight: 8,
          orient: 'auto',
        },
        svg('path', { d: 'M0,0 L8,4 L0,8 z' }),
      ),
    ),
  );
  for (const n of nodes) {
    const p = pos(n.name);
    root.append(
      svg(
        'g',
        { 'data-node': n.name, 'data-state': n.state, transform: `translate(${p.x},${p.y})` },
        svg('title', {}, `${n.name}: ${n.state}`),
        svg('rect', { width: W, height: H, class: `s-${n.state.toLowerCase()}` }),
        svg('text', { x: 8, y: 15 }, n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name),
        svg('text', { x: 8, y: 29, class: 'muted' }, n.state),
      ),
    );
  }
  return root;
}
