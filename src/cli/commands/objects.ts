/**
 * `mezzo apply -f FILE` and `mezzo get KIND`: the kubectl-like commands against a running
 * controller's HTTP API (a `mezzo dev` on 127.0.0.1:5050 by default, --server, or the
 * leader of a Kubernetes-hosted controller found with --kubeconfig).
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { readObjects } from './dev.js';
import { isTerminal } from '../../controller/records.js';
import type { TaskState__Output as TaskState } from '../../gen/mezzo/v1/TaskState.js';
import { controllerOptions, resolveEndpoints, type EndpointOptions } from './endpoint.js';
import { objectKinds, objectTable, table, stateCell } from './printer.js';
import { callController, type ControllerTarget } from './http-client.js';
import { isErrorBody } from '../../shared/http/errors.js';

/** A call to the controller; `apply`'s 422 carries per-object rejections. */
function call(server: ControllerTarget, path: string, init?: RequestInit): Promise<unknown> {
  return callController(server, path, init, [422]);
}

/** One object's outcome in an /apply answer. */
interface ApplyOutcome {
  ok: boolean;
  object: string;
  action?: string;
  error?: string;
  /** Every per-field line, when the object broke several rules. */
  errors?: string[];
}

/**
 * The per-object outcomes of an /apply answer: the list itself when every object was
 * accepted, the error body's `details.results` when some were rejected (422).
 */
export function applyResults(body: unknown): ApplyOutcome[] {
  if (Array.isArray(body)) return body as ApplyOutcome[];
  if (isErrorBody(body)) {
    const results = (body.error.details as { results?: unknown } | undefined)?.results;
    if (Array.isArray(results)) return results as ApplyOutcome[];
    throw new Error(body.error.message);
  }
  throw new Error('the controller answered /apply with something other than a list of results');
}

const COLUMNS: Record<string, string[]> = {
  tasks: ['id', 'name', 'state', 'agent_id', 'resources', 'reason'],
  frameworks: ['id', 'name', 'roles', 'connected'],
  agents: ['id', 'hostname', 'state', 'resources', 'tasks'],
  offers: ['id', 'framework_id', 'agent_id', 'role', 'resources'],
};

/** Finds a task by ID or (unique) name in the controller's state. */
async function resolveTask(
  server: ControllerTarget,
  ref: string,
): Promise<{ id: string; state: string }> {
  const state = (await call(server, '/state')) as {
    tasks: { id: string; name: string; state: string }[];
  };
  const byId = state.tasks.find((t) => t.id === ref);
  if (byId) return byId;
  const byName = state.tasks.filter((t) => t.name === ref);
  const only = byName[0];
  if (byName.length === 1 && only) return only;
  if (byName.length > 1)
    throw new Error(
      `"${ref}" names ${byName.length} tasks; use a task ID: ${byName.map((t) => t.id).join(', ')}`,
    );
  throw new Error(`no task "${ref}" (see \`mezzo get tasks\`)`);
}

/** Adds `logs` and `kill` to the program. */
export function registerTaskCommands(program: Command): void {
  controllerOptions(program.command('logs'))
    .description("print a task's stdout (or stderr) from its sandbox")
    .argument('<task>', 'task ID or name')
    .option('-f, --follow', 'keep printing until the task ends')
    .option('--stderr', 'stderr instead of stdout')
    .action(async (ref: string, o: { follow?: boolean; stderr?: boolean } & EndpointOptions) => {
      const server = await resolveEndpoints(o);
      const task = await resolveTask(server, ref);
      let offset = 0;
      for (;;) {
        const q = `/logs?task=${encodeURIComponent(task.id)}&file=${o.stderr ? 'stderr' : 'stdout'}&offset=${offset}`;
        const r = (await call(server, q)) as { data?: string; eof?: boolean; state?: string };
        const chunk = r.data ?? '';
        process.stdout.write(chunk);
        offset += Buffer.byteLength(chunk);
        if (!o.follow || (r.eof && isTerminal((r.state ?? '') as TaskState))) break;
        if (r.eof) await new Promise((res) => setTimeout(res, 500));
      }
    });
  controllerOptions(program.command('kill'))
    .description('kill a task (SIGTERM, then SIGKILL after its grace period)')
    .argument('<task>', 'task ID or name')
    .action(async (ref: string, o: EndpointOptions) => {
      const server = await resolveEndpoints(o);
      const task = await resolveTask(server, ref);
      const r = (await call(server, `/kill?task=${encodeURIComponent(task.id)}`, {
        method: 'POST',
      })) as { killing?: string };
      process.stdout.write(`killing ${r.killing ?? task.id}\n`);
    });
}

/**
 * How `mezzo apply` prints a rejected object: its one reason on the same line, or each
 * reason on its own indented line, in the apiserver's words (as `kubectl apply` prints).
 */
export function rejection(object: string, errors: readonly string[]): string {
  if (errors.length <= 1) return `${object} rejected: ${errors[0] ?? ''}\n`;
  return `${object} rejected:\n${errors.map((e) => `  ${e}\n`).join('')}`;
}

/** Adds `apply` and `get` to the program. */
export function registerObjects(program: Command): void {
  controllerOptions(program.command('apply'))
    .description('create or update Mezzo objects from a YAML file (like kubectl apply)')
    .requiredOption('-f, --filename <file>', 'YAML file with one or more objects')
    .action(async (o: { filename: string } & EndpointOptions) => {
      const server = await resolveEndpoints(o);
      const objects = readObjects(o.filename);
      const results = applyResults(
        await call(server, '/apply', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(objects),
        }),
      );
      for (const r of results) {
        if (r.ok) process.stdout.write(`${r.object} ${r.action ?? ''}\n`);
        else process.stderr.write(rejection(r.object, r.errors ?? [r.error ?? '']));
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
  controllerOptions(program.command('get'))
    .description(
      'list tasks, frameworks, agents or offers (live state), or stored objects: apps, schedules, roles',
    )
    .argument('<kind>', `${Object.keys(COLUMNS).join(' | ')} | apps | schedules | roles | …`)
    .option('-o, --output <format>', 'table | json | yaml', 'table')
    .action(async (kind: string, o: { output: string } & EndpointOptions) => {
      const server = await resolveEndpoints(o);
      if (!['table', 'json', 'yaml'].includes(o.output))
        throw new Error(`unknown output format "${o.output}": table, json or yaml`);
      const cols = COLUMNS[kind];
      const objKind = objectKinds().get(kind);
      let rows: unknown[];
      let text: () => string;
      if (cols) {
        const state = (await call(server, '/state')) as Record<string, Record<string, unknown>[]>;
        const list = state[kind] ?? [];
        rows = list;
        text = () =>
          table(
            cols,
            list.map((r) => cols.map((c) => stateCell(r[c]))),
          );
      } else if (objKind) {
        const list = (await call(server, `/objects?kind=${objKind.kind}`)) as unknown[];
        rows = list;
        text = () => objectTable(list, objKind, Date.now());
      } else {
        throw new Error(
          `unknown kind "${kind}": one of ${[...Object.keys(COLUMNS), 'apps', 'schedules', 'roles'].join(', ')}`,
        );
      }
      if (o.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else if (o.output === 'yaml') process.stdout.write(stringify(rows));
      else process.stdout.write(text());
    });
  controllerOptions(program.command('delete'))
    .description('delete a stored object (like kubectl delete): apps, schedules, tasks, roles')
    .argument('<kind>', 'app | schedule | task | role (any name `get` accepts)')
    .argument('<name>', 'object name')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds', 'default')
    .action(async (kind: string, name: string, o: { namespace: string } & EndpointOptions) => {
      const server = await resolveEndpoints(o);
      const objKind = objectKinds().get(kind);
      if (!objKind) throw new Error(`unknown kind "${kind}"`);
      const q = new URLSearchParams({ kind: objKind.kind, name, namespace: o.namespace });
      const r = (await call(server, `/objects?${q.toString()}`, { method: 'DELETE' })) as {
        deleted?: boolean;
      };
      if (!r.deleted) throw new Error(`${objKind.kind}/${name} was not deleted`);
      process.stdout.write(`${objKind.kind.toLowerCase()}/${name} deleted\n`);
    });
}
