/**
 * Chronos' dependency graph endpoints over Schedules: GET /v1/scheduler/graph/dot (a
 * Graphviz digraph, parents pointing at children, each job coloured by how its latest
 * run ended) and /graph/csv (`node,<name>,<last state>,<current state>` lines, then
 * `link,<parent>,<child>` lines), the text Chronos' dashboards and chronos-python's
 * scheduler_graph() read.
 */
import type { StoredObject } from '../../store/types.js';
import { currentState, lastState, type LastState } from './job-view.js';

const COLOURS: Readonly<Record<LastState, string>> = {
  success: 'green',
  failure: 'red',
  fresh: 'lightgrey',
};

function parentsOf(obj: StoredObject): string[] {
  const p = (obj.spec as { parents?: unknown }).parents;
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
}

function byName(jobs: readonly StoredObject[]): StoredObject[] {
  return [...jobs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * Edges whose both ends are jobs here: a parent that does not exist (a Schedule applied
 * before its parent) is not drawn, as Chronos could not have such an edge.
 */
function edges(jobs: readonly StoredObject[]): [string, string][] {
  const names = new Set(jobs.map((j) => j.metadata.name));
  return byName(jobs).flatMap((j) =>
    parentsOf(j)
      .filter((p) => names.has(p))
      .map((p): [string, string] => [p, j.metadata.name]),
  );
}

/** The graph as Graphviz DOT. Names are Kubernetes names, so quoting them is enough. */
export function graphDot(jobs: readonly StoredObject[]): string {
  const lines = ['digraph G {'];
  for (const j of byName(jobs)) {
    const colour = COLOURS[lastState(j)];
    lines.push(`  "${j.metadata.name}" [style=filled, fillcolor=${colour}];`);
  }
  for (const [p, c] of edges(jobs)) lines.push(`  "${p}" -> "${c}";`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The graph as Chronos' CSV. */
export function graphCsv(jobs: readonly StoredObject[]): string {
  const nodes = byName(jobs).map(
    (j) => `node,${j.metadata.name},${lastState(j)},${currentState(j)}\n`,
  );
  const links = edges(jobs).map(([p, c]) => `link,${p},${c}\n`);
  return [...nodes, ...links].join('');
}
