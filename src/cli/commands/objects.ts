/**
 * `mezzo apply -f FILE` and `mezzo get KIND`: the kubectl-like commands against a running
 * controller's HTTP API (a `mezzo dev` on 127.0.0.1:5050 by default, or --server).
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { readObjects } from './dev.js';

const DEFAULT_SERVER = 'http://127.0.0.1:5050';

async function call(server: string, path: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${server}${path}`, init);
  } catch {
    throw new Error(
      `cannot reach Mezzo at ${server} (is \`mezzo dev\` running? use --server to point elsewhere)`,
    );
  }
  const body: unknown = await res.json();
  if (!res.ok && res.status !== 422) throw new Error(`${server}${path}: HTTP ${res.status}`);
  return body;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(cell).join(',');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return `${v}`;
  return JSON.stringify(v);
}

function table(rows: Record<string, unknown>[], cols: string[]): string {
  const cells = [cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => cell(r[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
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

const COLUMNS: Record<string, string[]> = {
  tasks: ['id', 'name', 'state', 'agent_id', 'resources', 'reason'],
  frameworks: ['id', 'name', 'roles', 'connected'],
  agents: ['id', 'hostname', 'state', 'resources', 'tasks'],
  offers: ['id', 'framework_id', 'agent_id', 'role', 'resources'],
};

/** Adds `apply` and `get` to the program. */
export function registerObjects(program: Command): void {
  program
    .command('apply')
    .description('create or update Mezzo objects from a YAML file (like kubectl apply)')
    .requiredOption('-f, --filename <file>', 'YAML file with one or more objects')
    .option('--server <url>', 'controller HTTP address', DEFAULT_SERVER)
    .action(async (o: { filename: string; server: string }) => {
      const objects = readObjects(o.filename);
      const results = (await call(o.server, '/apply', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(objects),
      })) as { ok: boolean; object: string; action?: string; error?: string }[];
      for (const r of results) {
        if (r.ok) process.stdout.write(`${r.object} ${r.action ?? ''}\n`);
        else process.stderr.write(`${r.object} rejected: ${r.error ?? ''}\n`);
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
  program
    .command('get')
    .description('list tasks, frameworks, agents or offers')
    .argument('<kind>', 'tasks | frameworks | agents | offers')
    .option('-o, --output <format>', 'table | json | yaml', 'table')
    .option('--server <url>', 'controller HTTP address', DEFAULT_SERVER)
    .action(async (kind: string, o: { output: string; server: string }) => {
      const cols = COLUMNS[kind];
      if (!cols)
        throw new Error(`unknown kind "${kind}": one of ${Object.keys(COLUMNS).join(', ')}`);
      const state = (await call(o.server, '/state')) as Record<string, Record<string, unknown>[]>;
      const rows = state[kind] ?? [];
      if (o.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(stringify(rows));
      else if (o.output === 'table') process.stdout.write(table(rows, cols));
      else throw new Error(`unknown output format "${o.output}": table, json or yaml`);
    });
}
