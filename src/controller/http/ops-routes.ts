/**
 * The operator's routes: GET /metrics (Prometheus), /healthz and /readyz. (The dashboard
 * at / is dashboard-routes.ts.)
 */
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from '../../shared/metrics.js';
import { NO_PARAMETERS } from './schemas.js';

/** Registers the operator's routes on `app`. */
export function opsRoutes(app: FastifyInstance, metrics: MetricsRegistry): void {
  const schema = { querystring: NO_PARAMETERS };
  // Probes carry no token. /metrics is a non-resource `get`.
  const open = { schema, config: { access: 'public' as const } };
  app.get('/metrics', { schema }, async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.exposition()),
  );
  app.get('/healthz', open, async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', open, async (_req, reply) => reply.type('text/plain').send('ready\n'));
}
