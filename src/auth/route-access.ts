/**
 * What an HTTP route needs, declared in its route config (`config: { access }`):
 * `'public'` for health probes and static assets, or a function that names the questions
 * to authorize for a request (all must be allowed). The function runs after the request's
 * query string and body are validated, so it may read them as their schema says. A route
 * without `config.access` gets {@link defaultAccess}: a non-resource question on its
 * path, so a new route is never open by accident.
 */
import type { FastifyRequest } from 'fastify';
import type { AccessRequest, Principal } from './types.js';

/** The questions one request asks. */
export type AccessQuestions = AccessRequest | readonly AccessRequest[];

/** What a route needs. */
export type RouteAccess =
  'public' | ((req: FastifyRequest) => AccessQuestions | Promise<AccessQuestions>);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; see src/auth/route-access.ts. */
    access?: RouteAccess;
    /**
     * Also take the token from `Authorization: Basic` (as its password): for APIs whose
     * existing clients only send Basic credentials (Mesos' scheduler libraries).
     */
    basicAuth?: boolean;
    /**
     * Paces the route's callers itself, in place of the guard's per-user request rate:
     * asked once the caller is authenticated, before the body is read; a refusal is
     * answered 429 with `Retry-After`. For the Mesos scheduler API, whose calls share each
     * principal's pace with the gRPC scheduler calls.
     */
    pace?: (who: Principal) => Promise<RouteRefusal | undefined>;
  }
}

/** Why a route's pace refused a request. */
export interface RouteRefusal {
  /** Whole seconds until a request would be admitted. */
  retryAfterS: number;
  message: string;
}

const VERBS: Readonly<Record<string, string>> = {
  GET: 'get',
  HEAD: 'get',
  OPTIONS: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** A route's question when it declares none: the HTTP method's verb on its path. */
export function defaultAccess(method: string, routeUrl: string): AccessRequest {
  return { nonResource: { verb: VERBS[method] ?? 'create', path: routeUrl } };
}

/** Mezzo's API group. */
export const MEZZO_GROUP = 'mezzo.dev';

/** A question on one of Mezzo's resources (group `mezzo.dev`). */
export function mezzoAccess(
  verb: string,
  resource: string,
  where: { namespace?: string; name?: string; subresource?: string } = {},
): AccessRequest {
  return {
    resource: {
      verb,
      group: MEZZO_GROUP,
      resource,
      ...(where.subresource ? { subresource: where.subresource } : {}),
      ...(where.namespace ? { namespace: where.namespace } : {}),
      ...(where.name ? { name: where.name } : {}),
    },
  };
}
