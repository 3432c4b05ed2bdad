/**
 * The dependency graph of Schedules: a job with parents runs after all of them have
 * succeeded since its own last run (Chronos' dependent jobs). Cycles are rejected with
 * the cycle spelled out; unknown parents too.
 */
import { ValidationError } from '../../shared/errors.js';

/** What the graph needs to know of a schedule. */
export interface GraphNode {
  name: string;
  parents: readonly string[];
  /** Has a time-based schedule (roots) as opposed to only parents. */
  scheduled: boolean;
}

/** A validated, acyclic dependency graph. */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly children = new Map<string, string[]>();

  private constructor(nodes: readonly GraphNode[]) {
    for (const n of nodes) this.nodes.set(n.name, n);
    for (const n of nodes) {
      for (const p of n.parents) {
        const list = this.children.get(p) ?? [];
        list.push(n.name);
        this.children.set(p, list);
      }
    }
  }

  /**
   * Builds the graph, or throws a ValidationError naming the first problem: a duplicate
   * name, a parent that does not exist, a job with neither schedule nor parents, or a
   * cycle (as `a -> b -> c -> a`).
   */
  static build(nodes: readonly GraphNode[]): DependencyGraph {
    const names = new Set<string>();
    for (const n of nodes) {
      if (names.has(n.name))
        throw new ValidationError(`schedules.${n.name}`, 'duplicate schedule name');
      names.add(n.name);
    }
    for (const n of nodes) {
      for (const p of n.parents) {
        if (!names.has(p))
          throw new ValidationError(`schedules.${n.name}.spec.parents`, `unknown parent "${p}"`);
        if (p === n.name)
          throw new ValidationError(
            `schedules.${n.name}.spec.parents`,
            'a schedule cannot be its own parent',
          );
      }
      if (!n.scheduled && n.parents.length === 0) {
        throw new ValidationError(
          `schedules.${n.name}.spec`,
          'needs a schedule or at least one parent',
        );
      }
    }
    const graph = new DependencyGraph(nodes);
    const cycle = graph.findCycle();
    if (cycle) {
      throw new ValidationError(
        `schedules.${cycle[0] ?? ''}.spec.parents`,
        `dependency cycle: ${cycle.join(' -> ')}`,
      );
    }
    return graph;
  }

  /** Names of the schedules that list `name` as a parent. */
  childrenOf(name: string): readonly string[] {
    return this.children.get(name) ?? [];
  }

  /** Parents of `name`. */
  parentsOf(name: string): readonly string[] {
    return this.nodes.get(name)?.parents ?? [];
  }

  /** Every schedule, parents before children (stable by name otherwise). */
  topological(): string[] {
    const indeg = new Map<string, number>();
    for (const n of this.nodes.values()) indeg.set(n.name, n.parents.length);
    const ready = [...this.nodes.keys()].filter((n) => indeg.get(n) === 0).sort();
    const out: string[] = [];
    while (ready.length > 0) {
      const n = ready.shift();
      if (n === undefined) break;
      out.push(n);
      for (const c of [...this.childrenOf(n)].sort()) {
        const d = (indeg.get(c) ?? 0) - 1;
        indeg.set(c, d);
        if (d === 0) ready.push(c);
      }
      ready.sort();
    }
    return out;
  }

  /** Graphviz DOT, parents pointing at children. */
  toDot(): string {
    const lines = ['digraph schedules {', '  rankdir=LR;'];
    for (const name of this.topological()) {
      const n = this.nodes.get(name);
      lines.push(`  "${name}" [shape=${n?.scheduled ? 'box' : 'ellipse'}];`);
    }
    for (const name of this.topological()) {
      for (const p of this.parentsOf(name)) lines.push(`  "${p}" -> "${name}";`);
    }
    lines.push('}');
    return lines.join('\n') + '\n';
  }

  /** JSON form: nodes and edges. */
  toJSON(): {
    nodes: { name: string; scheduled: boolean }[];
    edges: { from: string; to: string }[];
  } {
    const order = this.topological();
    return {
      nodes: order.map((name) => ({ name, scheduled: this.nodes.get(name)?.scheduled ?? false })),
      edges: order.flatMap((name) => this.parentsOf(name).map((p) => ({ from: p, to: name }))),
    };
  }

  // Depth-first search with colours; returns the first cycle found, closed (a -> ... -> a).
  private findCycle(): string[] | undefined {
    const colour = new Map<string, 'grey' | 'black'>();
    const stack: string[] = [];
    const visit = (n: string): string[] | undefined => {
      colour.set(n, 'grey');
      stack.push(n);
      for (const c of [...this.childrenOf(n)].sort()) {
        const col = colour.get(c);
        if (col === 'grey') return [...stack.slice(stack.indexOf(c)), c];
        if (col === undefined) {
          const found = visit(c);
          if (found) return found;
        }
      }
      stack.pop();
      colour.set(n, 'black');
      return undefined;
    };
    for (const n of [...this.nodes.keys()].sort()) {
      if (colour.get(n) === undefined) {
        const found = visit(n);
        if (found) return found;
      }
    }
    return undefined;
  }
}

/** A graph of the schedules that can run, and why each of the others cannot. */
export interface PartialGraph {
  graph: DependencyGraph;
  /** Schedule name → the message its status shows (e.g. `dependency cycle: a -> b -> a`). */
  invalid: Map<string, string>;
}

const CYCLE_PREFIX = 'dependency cycle: ';

/**
 * Builds the graph of every schedule that can run, setting the others aside with a
 * message instead of rejecting the whole namespace: a cycle stops only its members and
 * their descendants, so one bad edit does not stop unrelated pipelines. `unusable` are
 * schedules left out of `nodes` already (their spec cannot be read), by why: their
 * children say so.
 */
export function buildPartialGraph(
  nodes: readonly GraphNode[],
  unusable: ReadonlyMap<string, string> = new Map(),
): PartialGraph {
  const invalid = new Map<string, string>(unusable);
  let remaining = [...nodes];
  for (;;) {
    const names = new Set(remaining.map((n) => n.name));
    const flagged = new Map<string, string>();
    for (const n of remaining) {
      if (n.parents.includes(n.name)) flagged.set(n.name, 'a schedule cannot be its own parent');
      else if (!n.scheduled && n.parents.length === 0)
        flagged.set(n.name, 'needs a schedule or at least one parent');
      else {
        const missing = n.parents.find((p) => !names.has(p));
        if (missing !== undefined) {
          const why = invalid.get(missing);
          flagged.set(
            n.name,
            why !== undefined
              ? `parent "${missing}" cannot run (${why})`
              : `unknown parent "${missing}"`,
          );
        }
      }
    }
    if (flagged.size === 0) {
      try {
        return { graph: DependencyGraph.build(remaining), invalid };
      } catch (err) {
        const at = err instanceof ValidationError ? err.message.indexOf(CYCLE_PREFIX) : -1;
        if (!(err instanceof ValidationError) || at < 0) throw err;
        const text = err.message.slice(at);
        for (const name of text.slice(CYCLE_PREFIX.length).split(' -> ')) flagged.set(name, text);
      }
    }
    for (const [name, why] of flagged) invalid.set(name, why);
    remaining = remaining.filter((n) => !flagged.has(n.name));
  }
}
