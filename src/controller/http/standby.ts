/**
 * What a standby controller (one that does not hold the leader Lease) answers on the HTTP
 * port: healthy and ready (it is, as a standby), /state naming the leader, the dashboard
 * (GET /) redirected to the leader's, and 503 with the leader's address for everything
 * else, so that a client that reached the wrong replica is told where to go.
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

/** A host:port as the leader writes it on its Lease (no path, no user, no spaces). */
const HOST_PORT = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$/;

/**
 * Where a browser that opened a standby's dashboard should go: the leader's dashboard,
 * `http(s)://<its HTTP address>/`, or undefined while no (well-formed) leader address is
 * known. The browser keeps the URL fragment across the redirect (RFC 9110 §10.2.2), so
 * the `#token=…` it came with reaches the leader's page and never a server.
 */
export function leaderDashboardUrl(leaderHttp: string, tls: boolean): string | undefined {
  if (!HOST_PORT.test(leaderHttp)) return undefined;
  return `${tls ? 'https' : 'http'}://${leaderHttp}/`;
}

/** What a standby's GET / shows while no leader is known: a page that retries by itself. */
const NO_LEADER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Mezzo standby</title></head>
<body><p>This Mezzo controller is a standby and no leader is known yet; this page retries every 5 seconds.</p></body>
</html>
`;

/**
 * Listens on host:port; `leader` (gRPC) and `leaderHttp` (the HTTP address the leader
 * keeps on its Lease) are read at each request. Probes are public; /state and
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
  leaderHttp: () => string = () => '',
): Promise<{ server: Server; port: number }> {
  const app = createHttpApp({ boundary, ...(tls ? { tls } : {}) });
  installHttpGuard(app, { access, metrics: boundary.metrics });
  const schema = { querystring: NO_PARAMETERS };
  const open = { schema, config: { access: 'public' as const } };
  app.get('/healthz', open, async (_req, reply) => reply.type('text/plain').send('standby\n'));
  app.get('/readyz', open, async (_req, reply) => reply.type('text/plain').send('standby\n'));
  app.get('/state', { schema }, () => ({ role: 'standby', leader: leader() }));
  // Mesos clients are sent to the leader's HTTP API (the Lease's annotation); the gRPC
  // address stands in only where no HTTP address is known (tests that give just one).
  mesosStandbyRoutes(app, () => leaderHttp() || leader(), tls ? 'https' : 'http');
  // The dashboard's shell is public on the leader too (it holds no data): a browser that
  // reached this replica (a Service picks any ready pod) is sent to the leader's.
  app.get('/', open, async (_req, reply) => {
    const to = leaderDashboardUrl(leaderHttp(), tls !== undefined);
    if (to)
      return reply.code(307).header('cache-control', 'no-store').header('location', to).send();
    return reply
      .code(503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('retry-after', '5')
      .send(NO_LEADER_PAGE);
  });
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
