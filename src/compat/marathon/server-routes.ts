/**
 * Marathon's server endpoints: `/ping` (a liveness probe, public like /healthz),
 * `/v2/info`, `/v2/leader` (this controller: a standby does not serve the API; DELETE,
 * Marathon's abdication, is refused with the reason) and the `/v2/events` stream.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MarathonHttpError } from './errors.js';
import {
  clientIp,
  listParam,
  listTasks,
  onApps,
  queryOf,
  type MarathonContext,
} from './request.js';

/** The Marathon API version this adapter follows. */
export const MARATHON_VERSION = '1.10.17';

function hostOf(req: FastifyRequest): string {
  const host = req.headers.host ?? '';
  return /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : '';
}

/** Why `DELETE /v2/leader` is refused. */
export const LEADER_NOT_ABDICATED =
  'Mezzo does not abdicate on request: leadership is a Kubernetes Lease that the running ' +
  'controller renews; stop that controller (or delete its pod) and a standby takes the ' +
  'lease once it expires';

const nonResource = (path: string) => () => ({ nonResource: { verb: 'get', path } });

/** Registers the server routes. */
export function serverRoutes(app: FastifyInstance, ctx: MarathonContext): void {
  app.get('/ping', { config: { access: 'public' } }, (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('pong'),
  );

  app.get('/v2/info', { config: { access: nonResource('/v2/info') } }, (req) => ({
    name: 'marathon',
    version: MARATHON_VERSION,
    buildref: 'mezzo',
    elected: true,
    leader: hostOf(req),
    frameworkId: null,
    marathon_config: {
      framework_name: 'mezzo-apps',
      hostname: hostOf(req).replace(/:\d+$/, ''),
      ha: false,
      checkpoint: true,
      mesos_role: 'default',
      master: 'mezzo',
    },
    http_config: { http_port: Number(hostOf(req).split(':').pop()) || null, https_port: null },
    zookeeper_config: {},
    event_subscriber: null,
  }));

  app.get('/v2/leader', { config: { access: nonResource('/v2/leader') } }, (req) => ({
    leader: hostOf(req),
  }));

  // Marathon abdicates here. Mezzo's leadership is a Kubernetes Lease renewed by the
  // running controller: handing it over on request would leave two controllers racing
  // for it, so the request is refused with how to move leadership instead.
  app.delete(
    '/v2/leader',
    { config: { access: () => ({ nonResource: { verb: 'delete', path: '/v2/leader' } }) } },
    (_req, reply) => {
      void reply.header('allow', 'GET, HEAD');
      throw new MarathonHttpError(405, LEADER_NOT_ABDICATED);
    },
  );

  // No HEAD twin: a HEAD would hold a stream slot open with nothing to read.
  app.get(
    '/v2/events',
    { exposeHeadRoute: false, config: { access: () => [onApps(ctx, 'list'), listTasks(ctx)] } },
    (req, reply) => {
      const types = listParam(queryOf(req), 'event_type');
      if (ctx.events.open >= ctx.events.limits.maxClients)
        throw new MarathonHttpError(
          503,
          `${ctx.events.open} event streams are open, the most this controller serves`,
        );
      reply.hijack();
      ctx.events.add(reply.raw, types.length > 0 ? new Set(types) : undefined, clientIp(req));
    },
  );
}
