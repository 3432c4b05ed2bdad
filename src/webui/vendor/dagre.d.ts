/**
 * The part of the graph-layout library's API the dashboard uses (@dagrejs/dagre, its
 * self-contained ES module): the controller serves the package's `dist/dagre.esm.js` as
 * /ui/vendor/dagre.js, which is what `./vendor/dagre.js` resolves to in the browser.
 * Declared here, narrowly, so that the pages' types do not depend on the package's.
 */

/** A point of a routed edge, or a node's centre. */
export interface Point {
  x: number;
  y: number;
}

/** A directed graph to lay out (graphlib's Graph). */
export interface Graph {
  setGraph(label: {
    rankdir?: 'TB' | 'BT' | 'LR' | 'RL';
    nodesep?: number;
    ranksep?: number;
    marginx?: number;
    marginy?: number;
  }): Graph;
  graph(): { width?: number; height?: number };
  setDefaultEdgeLabel(fn: () => object): Graph;
  setNode(name: string, label: { width: number; height: number }): Graph;
  setEdge(from: string, to: string): Graph;
  node(name: string): Partial<Point> | undefined;
  edge(from: string, to: string): { points?: Point[] } | undefined;
}

declare const dagre: {
  graphlib: { Graph: new () => Graph };
  layout(g: Graph): void;
};
export default dagre;
