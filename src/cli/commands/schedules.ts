/**
 * `mezzo run-schedule NAME` (a run now, through the mezzo.dev/run-now annotation that
 * kubectl users set themselves) and `mezzo graph schedules` (the dependency graph as DOT
 * or JSON), against a running controller's HTTP API.
 */
import type { Command } from 'commander';
import { buildPartialGraph } from '../../frameworks/schedules/graph.js';
import { RUN_NOW_ANNOTATION } from '../../frameworks/schedules/runs.js';
import { callController as call } from './http-client.js';
import { controllerOptions, resolveEndpoints, type EndpointOptions } from './endpoint.js';

/** A schedules command was used wrongly. */
export class ScheduleCommandError extends Error {
  override readonly name = 'ScheduleCommandError';
}

interface ScheduleObject {
  metadata: { name: string; namespace?: string };
  spec: { schedule?: string; parents?: string[] };
}

/** DOT or JSON for the schedules of one namespace; invalid ones are drawn red. */
export function renderGraph(objects: readonly ScheduleObject[], format: 'dot' | 'json'): string {
  const nodes = objects.map((o) => ({
    name: o.metadata.name,
    parents: o.spec.parents ?? [],
    scheduled: o.spec.schedule !== undefined,
  }));
  const { graph, invalid } = buildPartialGraph(nodes);
  const bad = nodes.filter((n) => invalid.has(n.name));
  if (format === 'json') {
    const json = graph.toJSON();
    return (
      JSON.stringify(
        {
          ...json,
          invalid: bad.map((n) => ({ name: n.name, message: invalid.get(n.name) ?? '' })),
          edges: [
            ...json.edges,
            ...bad.flatMap((n) => n.parents.map((p) => ({ from: p, to: n.name }))),
          ],
        },
        null,
        2,
      ) + '\n'
    );
  }
  const dot = graph.toDot().trimEnd().split('\n');
  const close = dot.pop() ?? '}';
  for (const n of bad) {
    const why = (invalid.get(n.name) ?? '').replaceAll('"', '\\"');
    dot.push(
      `  "${n.name}" [shape=${n.scheduled ? 'box' : 'ellipse'}, color=red, tooltip="${why}"];`,
    );
    for (const p of n.parents) dot.push(`  "${p}" -> "${n.name}" [color=red];`);
  }
  return [...dot, close].join('\n') + '\n';
}

/** Adds `run-schedule` and `graph` to the program. */
export function registerSchedules(program: Command): void {
  controllerOptions(program.command('run-schedule'))
    .description('run a Schedule now (sets its mezzo.dev/run-now annotation)')
    .argument('<name>', 'Schedule name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (name: string, o: { namespace: string } & EndpointOptions) => {
      const server = await resolveEndpoints(o);
      // A fresh value each time: the framework serves each distinct value once.
      const value = new Date().toISOString();
      const q = `/annotate?kind=Schedule&name=${encodeURIComponent(name)}&namespace=${encodeURIComponent(o.namespace)}`;
      await call(server, q, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [RUN_NOW_ANNOTATION]: value }),
      });
      process.stdout.write(
        `schedule ${o.namespace}/${name}: run requested (${RUN_NOW_ANNOTATION}=${value})\n`,
      );
    });
  controllerOptions(program.command('graph'))
    .description('print the dependency graph of Schedules as Graphviz DOT or JSON')
    .argument('<kind>', 'schedules')
    .option('-o, --output <format>', 'dot or json', 'dot')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (kind: string, o: { output: string; namespace: string } & EndpointOptions) => {
      if (!['schedules', 'schedule', 'msched'].includes(kind))
        throw new ScheduleCommandError(`graph knows only "schedules", not "${kind}"`);
      if (o.output !== 'dot' && o.output !== 'json')
        throw new ScheduleCommandError(`--output must be dot or json, not "${o.output}"`);
      const server = await resolveEndpoints(o);
      const all = (await call(server, '/objects?kind=Schedule')) as ScheduleObject[];
      const mine = all.filter((s) => (s.metadata.namespace ?? 'default') === o.namespace);
      process.stdout.write(renderGraph(mine, o.output));
    });
}
