/**
 * The agent's own HTTP port on the shared HTTP layer: /metrics (Prometheus), /healthz and
 * /state (JSON), over TLS when given a certificate (the chart's, re-read from its files so
 * a rotation needs no restart). It reads the agent through a narrow view so this file needs
 * no reference to the Agent class (which would be an import cycle).
 */
import type http from 'node:http';
import { installHttpGuard } from '../auth/http-guard.js';
import type { AccessControl } from '../auth/types.js';
import { SystemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { createHttpApp, listenHttp } from '../shared/http/server.js';
import { CertificateReloader } from '../shared/tls/certificate-reloader.js';
import type { AgentHttpTls } from './config.js';
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
  /** Where internal errors of a request are logged. */
  readonly logger: Logger;
  /** Refreshes the usage gauges so /metrics is current, not one interval old. */
  collectUsage(): Promise<unknown>;
  /** Who may read /state and /metrics (/healthz is public). */
  readonly access: AccessControl;
}

/** Routes without parameters ignore a query string (scrapers add their own). */
const schema = { querystring: { type: 'object' } } as const;

/** Listens on host:port (0 picks a port) and resolves with the server and bound port. */
export async function startAgentHttp(
  view: AgentHttpView,
  host: string,
  port: number,
  tls?: AgentHttpTls,
): Promise<{ server: http.Server; port: number }> {
  // Unusable files throw here, before the port opens: an agent told to serve TLS never
  // falls back to plain HTTP.
  const reloader = tls
    ? new CertificateReloader(
        { certFile: tls.certFile, keyFile: tls.keyFile },
        {
          clock: new SystemClock(),
          logger: view.logger.child({ component: 'tls' }),
          metrics: view.metrics,
          pollMs: tls.reloadSeconds * 1000,
        },
      )
    : undefined;
  const app = createHttpApp({
    boundary: { logger: view.logger, metrics: view.metrics, component: 'agent' },
    ...(reloader ? { tls: reloader } : {}),
  });
  // The agent closes the server itself (not the app): stop polling the files with it.
  if (reloader) app.server.on('close', () => reloader.stop());
  installHttpGuard(app, { access: view.access, metrics: view.metrics });
  app.get('/metrics', { schema }, async (_req, reply) => {
    await view.collectUsage();
    return reply.type(view.metrics.contentType).send(await view.metrics.exposition());
  });
  app.get('/healthz', { schema, config: { access: 'public' } }, () => ({
    ok: true,
    registered: view.registered(),
    agentId: view.agentId(),
    tasks: view.tasks.size,
    cgroups: view.cgroupVersion,
  }));
  app.get('/state', { schema }, () => ({
    agentId: view.agentId(),
    registered: view.registered(),
    tasks: [...view.tasks.values()].map((t) => ({
      taskId: t.task.task_id,
      frameworkId: t.framework.id,
      phase: t.phase,
      pid: t.pid,
      sandbox: t.sandbox,
      state: view.updates.latest(t.task.task_id)?.state,
      pendingUpdates: view.updates.pending(t.task.task_id).length,
    })),
  }));
  return listenHttp(app, host, port);
}
