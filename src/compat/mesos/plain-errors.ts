/**
 * Error answers in Mesos' style on the Mesos endpoints: the status code with the message
 * as a `text/plain` body (as Mesos' master answers `BadRequest("...")` or
 * `Forbidden("...")`), instead of Mezzo's `{"error": {...}}` JSON, so that Mesos client
 * libraries that print the body show the reason. Applies to the routes of the scope it is
 * added to, the guard's 401/403/429 answers included.
 */
import type { FastifyInstance } from 'fastify';
import { isErrorBody } from '../../shared/http/errors.js';

/** Adds the hook to `scope`. */
export function mesosStyleErrors(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (!isErrorBody(parsed)) return payload;
    reply.type('text/plain; charset=utf-8');
    return `${parsed.error.message}\n`;
  });
}
