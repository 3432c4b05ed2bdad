/**
 * `mezzo simulate -f scenario.yaml [--json]`: a what-if tool for operators. It runs a
 * scenario (agents, roles with weights and quota, frameworks with a demand of identical
 * tasks) through the real allocator and prints, per framework and per role, the tasks
 * placed, the resources allocated (mem and disk in MiB) and the dominant share.
 * The format is documented in docs/simulate.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../shared/errors.js';
import {
  parseScenario,
  simulate,
  type Outcome,
  type SimulationResult,
} from '../../allocator/simulation.js';

function fmtAllocated(a: Record<string, number>): string {
  const parts = Object.entries(a).map(([k, v]) => `${k}:${v}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** The human-readable report. */
export function formatResult(r: SimulationResult): string {
  const share = (o: Outcome): string => `${(o.dominantShare * 100).toFixed(2)}%`;
  const fw = table(
    ['FRAMEWORK', 'ROLE', 'TASKS', 'DEMAND', 'ALLOCATED', 'DOMINANT SHARE'],
    Object.entries(r.frameworks).map(([name, o]) => [
      name,
      o.role,
      String(o.tasks),
      String(o.demand),
      fmtAllocated(o.allocated),
      share(o),
    ]),
  );
  const roles = table(
    ['ROLE', 'WEIGHT', 'TASKS', 'ALLOCATED', 'DOMINANT SHARE'],
    Object.entries(r.roles).map(([name, o]) => [
      name,
      String(o.weight),
      String(o.tasks),
      fmtAllocated(o.allocated),
      share(o),
    ]),
  );
  return (
    `${fw}\n\n${roles}\n\ncluster total ${fmtAllocated(r.cluster.total)}; ` +
    `allocated ${fmtAllocated(r.cluster.allocated)}; ${r.rounds} rounds\n`
  );
}

/** Adds `simulate` to the program. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run a what-if allocation scenario through the allocator (see docs/simulate.md)')
    .requiredOption('-f, --file <scenario.yaml>', 'scenario file (YAML or JSON)')
    .option('--json', 'print a JSON object instead of tables')
    .action((opts: { file: string; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(opts.file, 'utf8');
      } catch (err) {
        throw new ValidationError(opts.file, `cannot read: ${(err as Error).message}`);
      }
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch (err) {
        throw new ValidationError(opts.file, `not valid YAML: ${(err as Error).message}`);
      }
      const result = simulate(parseScenario(doc));
      process.stdout.write(
        opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result),
      );
    });
}
