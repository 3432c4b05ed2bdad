/**
 * The controller's HTTP endpoints: `/metrics` (Prometheus), `/healthz`, `/readyz`,
 * `/state` (JSON like Mesos' /state: frameworks, agents, tasks, offers), `POST /apply`
 * (objects for the store, as `mezzo apply -f` sends them) and a minimal index page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { Kind, Store, StoredObject } from '../store/types.js';
import type { ControllerCore } from './core.js';
import { applyAll } from './apply.js';
import { ConflictError } from '../shared/errors.js';

/** Kinds users delete and annotate (Agents and Framework mirrors are the controller's own). */
const USER_KINDS: ReadonlySet<string> = new Set(['Task', 'App', 'Schedule', 'Role']);
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Role', 'Agent']);

function send(res: ServerResponse, code: number, body: string, type = 'application/json'): void {
  res.writeHead(code, { 'content-type': type });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The /state document. */
export function stateOf(core: ControllerCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => ({
      id: f.id,
      name: f.info.name,
      roles: f.roles,
      connected: f.connected,
      tasks: [...f.tasks],
      allocated: Object.fromEntries(core.allocator.frameworkQuantities(f.id)),
    })),
    agents: [...core.agents.values()].map((a) => ({
      id: a.id,
      hostname: a.info.hostname,
      state: a.state,
      resources: a.total.toString(),
      attributes: Object.fromEntries(a.info.attributes.map((x) => [x.name, x.text])),
      tasks: a.tasks.size,
    })),
    tasks: [...core.tasks.values()].map((t) => ({
      id: t.id,
      name: t.info.name,
      framework_id: t.frameworkId,
      agent_id: t.agentId,
      state: t.state,
      reason: t.status?.reason === 'REASON_UNSPECIFIED' ? undefined : t.status?.reason,
      message: t.status?.message,
      resources: t.resources.toString(),
    })),
    offers: core.offers.all().map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      agent_id: o.agentId,
      role: o.role,
      resources: o.resources.toString(),
    })),
    shares: Object.fromEntries(core.allocator.frameworkShares()),
  };
}

/** Starts the HTTP server on host:port (0 picks a port). */
export async function startHttp(
  core: ControllerCore,
  metrics: MetricsRegistry,
  store: Store,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const handle = async () => {
      switch (route) {
        case 'GET /metrics':
          send(res, 200, await metrics.exposition(), metrics.contentType);
          return;
        case 'GET /healthz':
          send(res, 200, 'ok\n', 'text/plain');
          return;
        case 'GET /readyz':
          send(res, 200, 'ready\n', 'text/plain');
          return;
        case 'GET /state':
          send(res, 200, JSON.stringify(stateOf(core)));
          return;
        case 'GET /objects': {
          const kind = url.searchParams.get('kind') ?? 'Task';
          send(res, 200, JSON.stringify(await store.list(kind as StoredObject['kind'])));
          return;
        }
        case 'DELETE /objects': {
          // /objects?kind=App&name=web&namespace=default: finalizers still hold it.
          const kind = url.searchParams.get('kind') ?? '';
          const name = url.searchParams.get('name') ?? '';
          if (!USER_KINDS.has(kind)) {
            send(res, 400, JSON.stringify({ error: `cannot delete kind "${kind}"` }));
            return;
          }
          const ns = CLUSTER_SCOPED.has(kind)
            ? undefined
            : (url.searchParams.get('namespace') ?? 'default');
          const found = await store.get(kind as Kind, name, ns);
          if (!found) {
            send(res, 404, JSON.stringify({ error: `${kind}/${name} not found` }));
            return;
          }
          await store.delete(kind as Kind, name, ns);
          send(res, 200, JSON.stringify({ deleted: true }));
          return;
        }
        case 'POST /annotate': {
          // /annotate?kind=Schedule&name=n&namespace=ns, body {"key": "value"}: merges
          // annotations (how `mezzo run-schedule` sets mezzo.dev/run-now).
          const kind = url.searchParams.get('kind') ?? '';
          const name = url.searchParams.get('name') ?? '';
          if (!USER_KINDS.has(kind) || CLUSTER_SCOPED.has(kind)) {
            send(res, 400, JSON.stringify({ error: `cannot annotate kind "${kind}"` }));
            return;
          }
          const body = JSON.parse(await readBody(req)) as unknown;
          const entries = Object.entries(typeof body === 'object' && body !== null ? body : {});
          if (entries.some(([, v]) => typeof v !== 'string')) {
            send(res, 400, JSON.stringify({ error: 'annotation values must be strings' }));
            return;
          }
          const ns = url.searchParams.get('namespace') ?? 'default';
          // Read-modify-write, again on a conflict (a framework may write meanwhile).
          for (let attempt = 0; ; attempt++) {
            const found = await store.get(kind as Kind, name, ns);
            if (!found) {
              send(res, 404, JSON.stringify({ error: `${kind}/${name} not found in ${ns}` }));
              return;
            }
            found.metadata.annotations = {
              ...found.metadata.annotations,
              ...(Object.fromEntries(entries) as Record<string, string>),
            };
            try {
              const saved = await store.update(found);
              send(res, 200, JSON.stringify({ annotations: saved.metadata.annotations }));
              return;
            } catch (err) {
              if (!(err instanceof ConflictError) || attempt >= 4) throw err;
            }
          }
        }
        case 'POST /apply': {
          const out = await applyAll(store, JSON.parse(await readBody(req)) as unknown);
          send(res, out.status, JSON.stringify(out.body));
          return;
        }
        case 'GET /logs': {
          // /logs?task=ID&file=stdout&offset=N: a slice of a task's sandbox file.
          const task = core.tasks.get(url.searchParams.get('task') ?? '');
          const agent = task && core.agents.get(task.agentId);
          if (!task || !agent) {
            send(
              res,
              404,
              JSON.stringify({ error: `unknown task ${url.searchParams.get('task') ?? ''}` }),
            );
            return;
          }
          const file = url.searchParams.get('file') ?? 'stdout';
          if (file !== 'stdout' && file !== 'stderr') {
            send(res, 400, JSON.stringify({ error: 'file must be stdout or stderr' }));
            return;
          }
          const slice = await core.files.read(
            agent,
            task.id,
            file,
            Number(url.searchParams.get('offset') ?? 0),
            1 << 20,
          );
          send(
            res,
            200,
            JSON.stringify({
              data: slice.data.toString('utf8'),
              offset: slice.offset,
              eof: slice.eof,
              state: task.state,
            }),
          );
          return;
        }
        case 'POST /kill': {
          // /kill?task=ID: the operator's kill, as the framework's KILL would do it.
          const task = core.tasks.get(url.searchParams.get('task') ?? '');
          if (!task) {
            send(
              res,
              404,
              JSON.stringify({ error: `unknown task ${url.searchParams.get('task') ?? ''}` }),
            );
            return;
          }
          core.killTask(task);
          send(res, 200, JSON.stringify({ killing: task.id, state: task.state }));
          return;
        }
        case 'GET /':
          send(
            res,
            200,
            '<!doctype html><title>Mezzo</title><h1>Mezzo</h1><p>See <a href="/state">/state</a> and <a href="/metrics">/metrics</a>.</p>',
            'text/html',
          );
          return;
        default:
          send(res, 404, JSON.stringify({ error: `no route ${route}` }));
      }
    };
    handle().catch((err: unknown) => {
      send(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
