/**
 * The agent's own HTTP port: /metrics (Prometheus), /healthz and /state (JSON). It reads
 * the agent through a narrow view so this file needs no reference to the Agent class
 * (which would be an import cycle).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '../shared/metrics.js';
import type { StatusUpdateManager } from './status-updates.js';
import type { TaskRecord } from './task-record.js';

/** What the HTTP endpoints read from the agent, evaluated at each request. */
export interface AgentHttpView {
  /** Whether the agent is registered now. */
  registered(): boolean;
  /** The agent ID now (empty before the first registration). */
  agentId(): string;
  readonly cgroupVersion: 1 | 2;
  readonly tasks: ReadonlyMap<string, TaskRecord>;
  readonly updates: StatusUpdateManager;
  readonly metrics: MetricsRegistry;
  /** Refreshes the usage gauges so /metrics is current, not one interval old. */
  collectUsage(): Promise<unknown>;
}

/** Listens on host:port (0 picks a port) and resolves with the server and bound port. */
export async function startAgentHttp(
  view: AgentHttpView,
  host: string,
  port: number,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    void serveHttp(view, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function serveHttp(
  view: AgentHttpView,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://agent');
  if (url.pathname === '/metrics') {
    await view.collectUsage();
    res.writeHead(200, { 'content-type': view.metrics.contentType });
    res.end(await view.metrics.exposition());
    return;
  }
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ok: true,
        registered: view.registered(),
        agentId: view.agentId(),
        tasks: view.tasks.size,
        cgroups: view.cgroupVersion,
      }),
    );
    return;
  }
  if (url.pathname === '/state') {
    const tasks = [...view.tasks.values()].map((t) => ({
      taskId: t.task.task_id,
      frameworkId: t.framework.id,
      phase: t.phase,
      pid: t.pid,
      sandbox: t.sandbox,
      state: view.updates.latest(t.task.task_id)?.state,
      pendingUpdates: view.updates.pending(t.task.task_id).length,
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ agentId: view.agentId(), registered: view.registered(), tasks }));
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}
