/**
 * The operator's routes: GET /metrics (Prometheus), /healthz, /readyz and a minimal
 * index page at /.
 */
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from '../../shared/metrics.js';
import { NO_PARAMETERS } from './schemas.js';

const INDEX_HTML =
  '<!doctype html><title>Mezzo</title><h1>Mezzo</h1><p>See <a href="/state">/state</a> and <a href="/metrics">/metrics</a>.</p>';

/** Registers the operator's routes on `app`. */
export function opsRoutes(app: FastifyInstance, metrics: MetricsRegistry): void {
  const schema = { querystring: NO_PARAMETERS };
  // Probes carry no token; the index page is static. /metrics is a non-resource `get`.
  const open = { schema, config: { access: 'public' as const } };
  app.get('/metrics', { schema }, async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.exposition()),
  );
  app.get('/healthz', open, async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', open, async (_req, reply) => reply.type('text/plain').send('ready\n'));
  app.get('/', open, async (_req, reply) => reply.type('text/html').send(INDEX_HTML));
}
