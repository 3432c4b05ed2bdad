/**
 * Who asked for a write made over HTTP, recorded on the objects it creates or changes
 * (as Kubernetes' field managers record which client wrote a field).
 */
import type { FastifyRequest } from 'fastify';

/** The annotation naming the user whose request last created or changed an object. */
export const REQUESTED_BY_ANNOTATION = 'mezzo.dev/requested-by';

/** The annotation for a request's caller (none on a public route). */
export function requestedBy(req: FastifyRequest): Record<string, string> {
  return req.principal ? { [REQUESTED_BY_ANNOTATION]: req.principal.username } : {};
}
