/**
 * What a standby controller (one that does not hold the leader Lease) answers on the HTTP
 * port: healthy and ready (it is, as a standby), /state naming the leader, and 503 with
 * the leader's address for everything else, so that a client that reached the wrong
 * replica is told where to go.
 */
import type { Server } from 'node:http';
import type { ErrorBoundary } from '../../shared/internal-errors.js';
import { HttpError } from '../../shared/http/errors.js';
import { createHttpApp, listenHttp } from '../../shared/http/server.js';
import { NO_PARAMETERS } from './schemas.js';
import { mesosStandbyRoutes } from '../../compat/mesos/standby.js';

/** Listens on host:port; `leader` is read at each request. */
export async function startStandbyHttp(
  boundary: ErrorBoundary,
  host: string,
  port: number,
  leader: () => string,
): Promise<{ server: Server; port: number }> {
  const app = createHttpApp({ boundary });
  const schema = { querystring: NO_PARAMETERS };
  app.get('/healthz', { schema }, async (_req, reply) =>
    reply.type('text/plain').send('standby\n'),
  );
  app.get('/readyz', { schema }, async (_req, reply) => reply.type('text/plain').send('standby\n'));
  app.get('/state', { schema }, () => ({ role: 'standby', leader: leader() }));
  mesosStandbyRoutes(app, leader);
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
