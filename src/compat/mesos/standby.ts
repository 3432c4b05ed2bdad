/**
 * What a standby controller answers on Mesos' API paths: 307 Temporary Redirect with the
 * leader's address in `Location`, as a non-leading Mesos master does, so that Mesos
 * scheduler libraries follow it to the leader. Without a known leader, 503. As the
 * standby's other answers, only to an authenticated caller (a Bearer token, or Basic
 * credentials whose password is one, as on the leader).
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http/errors.js';
import { SCHEDULER_PATH } from './scheduler-route.js';
import { mesosStyleErrors } from './plain-errors.js';

/** The Mesos paths a standby redirects. */
export const REDIRECTED_PATHS = [SCHEDULER_PATH, '/api/v1'] as const;

/**
 * Registers the redirects on a standby's app; `leader` (host:port of its HTTP API) is
 * read per request; `scheme` is the leader's (https when the controllers serve TLS).
 */
export function mesosStandbyRoutes(
  app: FastifyInstance,
  leader: () => string,
  scheme: 'http' | 'https' = 'http',
): void {
  void app.register((scope, _opts, done) => {
    mesosStyleErrors(scope);
    // A protobuf call is redirected like a JSON one; its body is not read here.
    scope.addContentTypeParser(
      'application/x-protobuf',
      { parseAs: 'buffer' },
      (_req, body, parsed) => {
        parsed(null, body);
      },
    );
    for (const path of REDIRECTED_PATHS) {
      // Who may be told where the leader is: any authenticated caller.
      const config = { access: () => [], basicAuth: true };
      scope.post(path, { config }, async (_req, reply) => {
        const at = leader();
        if (!at)
          throw new HttpError(
            503,
            'NOT_LEADER',
            'this controller is a standby and no leader is known yet',
          );
        return reply.code(307).header('location', `${scheme}://${at}${path}`).send();
      });
    }
    done();
  });
}
