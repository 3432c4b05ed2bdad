/**
 * The schedules' dependency graph as SVG, laid out by dagre (layered, with crossing
 * reduction and coordinate assignment; docs/dashboard.md says why this library): jobs
 * are boxes coloured by their last result, edges run from parent to child along the
 * points dagre routes them through.
 */
import dagre, { type Point } from './vendor/dagre.js';
import { svg } from './dom.js';

/** A node: name, state class, parents. */
export interface GraphNode {
  name: string;
  state: string;
  parents: string[];
}

const W = 150;
const H = 36;

type Placed = Point;

/** Where dagre puts each job (box centres) and each edge's points, and the drawing's size. */
function layout(nodes: GraphNode[]): {
  at: (name: string) => Placed;
  route: (from: string, to: string) => Placed[];
  width: number;
  height: number;
} {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 50, marginx: 15, marginy: 15 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(nodes.map((n) => n.name));
  for (const n of nodes) g.setNode(n.name, { width: W, height: H });
  // Parents outside the graph are not drawn; a cycle (which the API refuses) dagre breaks.
  for (const n of nodes) for (const p of n.parents) if (names.has(p)) g.setEdge(p, n.name);
  dagre.layout(g);
  const size = g.graph();
  return {
    at: (name) => {
      const v = g.node(name);
      return { x: v?.x ?? 0, y: v?.y ?? 0 };
    },
    route: (from, to) => g.edge(from, to)?.points ?? [],
    width: Math.max(W, size.width ?? W),
    height: Math.max(H, size.height ?? H),
  };
}

/** The graph as an <svg>. */
export function drawGraph(nodes: GraphNode[]): SVGElement {
  const { at, route, width, height } = layout(nodes);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `Dependency graph of ${nodes.length} jobs`,
  });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 8 8',
          refX: 7,
          refY: 4,
          markerWidth: 8,
          markerHeight: 8,
          orient: 'auto',
        },
        svg('path', { d: 'M0,0 L8,4 L0,8 z' }),
      ),
    ),
  );
  const names = new Set(nodes.map((n) => n.name));
  for (const n of nodes) {
    for (const p of n.parents) {
      if (!names.has(p)) continue;
      const pts = route(p, n.name);
      if (pts.length === 0) continue;
      root.append(
        svg('path', {
          d: pts
            .map((q, i) => `${i === 0 ? 'M' : 'L'}${q.x.toFixed(1)},${q.y.toFixed(1)}`)
            .join(' '),
          'data-edge': `${p}->${n.name}`,
          'marker-end': 'url(#arrow)',
        }),
      );
    }
  }
  for (const n of nodes) {
    const c = at(n.name);
    root.append(
      svg(
        'g',
        {
          'data-node': n.name,
          'data-state': n.state,
          transform: `translate(${(c.x - W / 2).toFixed(1)},${(c.y - H / 2).toFixed(1)})`,
        },
        svg('title', {}, `${n.name}: ${n.state}`),
        svg('rect', { width: W, height: H, class: `s-${n.state.toLowerCase()}` }),
        svg('text', { x: 8, y: 15 }, n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name),
        svg('text', { x: 8, y: 29, class: 'muted' }, n.state),
      ),
    );
  }
  return root;
}
