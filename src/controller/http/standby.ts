/**
 * What a standby controller (one that does not hold the leader Lease) answers on the HTTP
 * port: healthy and ready (it is, as a standby), /state naming the leader, and 503 with
 * the leader's address for everything else, so that a client that reached the wrong
 * replica is told where to go.
 */
import type { Server } from 'node:http';
import { installHttpGuard } from '../../auth/http-guard.js';
import type { AccessControl } from '../../auth/types.js';
import type { ErrorBoundary } from '../../shared/internal-errors.js';
import { HttpError } from '../../shared/http/errors.js';
import { createHttpApp, listenHttp } from '../../shared/http/server.js';
import type { CertificateReloader } from '../../shared/tls/certificate-reloader.js';
import { NO_PARAMETERS } from './schemas.js';
import { mesosStandbyRoutes } from '../../compat/mesos/standby.js';

/**
 * Listens on host:port; `leader` is read at each request. Probes are public; /state and
 * the redirecting answers need a caller as on the leader (a standby tells nobody else
 * where the leader is).
 */
export async function startStandbyHttp(
  boundary: ErrorBoundary,
  access: AccessControl,
  host: string,
  port: number,
  leader: () => string,
  tls?: CertificateReloader,
): Promise<{ server: Server; port: number }> {
  const app = createHttpApp({ boundary, ...(tls ? { tls } : {}) });
  installHttpGuard(app, { access, metrics: boundary.metrics });
  const schema = { querystring: NO_PARAMETERS };
  const open = { schema, config: { access: 'public' as const } };
  app.get('/healthz', open, async (_req, reply) => reply.type('text/plain').send('standby\n'));
  app.get('/readyz', open, async (_req, reply) => reply.type('text/plain').send('standby\n'));
  app.get('/state', { schema }, () => ({ role: 'standby', leader: leader() }));
  mesosStandbyRoutes(app, leader, tls ? 'https' : 'http');
  app.all('/*', () => {
    const at = leader();
    throw new HttpError(
      503,
      'NOT_LEADER',
      `this controller is a standby; ${at ? `the leader serves at ${at}` : 'no leader is known yet'}`,
      { role: 'standby', leader: at },
    );
  });
  return listenHttp(app, host, port);
}
