/**
 * The HTTP guard, put on a fastify app before its routes: every request but those of
 * `'public'` routes must carry `Authorization: Bearer <token>` (401 with
 * `WWW-Authenticate: Bearer` otherwise, before its body is read), stays within its
 * caller's request rate or the route's own pace (429 with `Retry-After`), and must be
 * allowed what its route
 * declares (403 naming what was missing). The caller is `req.principal` for the route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from '../shared/metrics.js';
import { errorBody } from '../shared/http/errors.js';
import { JSON_TYPE } from '../shared/http/server.js';
import { AccessGuard } from './access-guard.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js';
import { defaultAccess, type AccessQuestions, type RouteRefusal } from './route-access.js';
import { basicPassword, bearerToken } from './token.js';
import type { AccessControl, AccessRequest, Principal } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes. */
    principal: Principal | null;
  }
}

/** Options for {@link installHttpGuard}. */
export interface HttpGuardOptions {
  readonly access: AccessControl;
  readonly metrics: MetricsRegistry;
  /** Per-caller request rate; default {@link DEFAULT_RATE_LIMIT}. */
  readonly rateLimit?: RateLimit;
  /** Clock of the rate limiter, in milliseconds (tests). */
  readonly now?: () => number;
}

function isPublic(req: FastifyRequest): boolean {
  return req.routeOptions.config.access === 'public';
}

function refuse(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(status).headers(headers).type(JSON_TYPE).send(errorBody(code, message));
}

function isQuestionList(q: AccessQuestions): q is readonly AccessRequest[] {
  return Array.isArray(q);
}

async function questionsOf(req: FastifyRequest): Promise<readonly AccessRequest[]> {
  const access = req.routeOptions.config.access;
  if (typeof access === 'function') {
    const asked: AccessQuestions = await access(req);
    return isQuestionList(asked) ? asked : [asked];
  }
  const path = req.routeOptions.url ?? req.url.split('?', 1)[0] ?? req.url;
  return [defaultAccess(req.method, path)];
}

/** The guard's own per-user rate: a refusal once `who` is past it. */
function overRate(limiter: RateLimiter, who: Principal): RouteRefusal | undefined {
  const rate = limiter.take(who.username);
  if (rate.ok) return undefined;
  return {
    retryAfterS: rate.retryAfterS,
    message: `user "${who.username}" sent more requests than allowed; retry in ${String(rate.retryAfterS)} s`,
  };
}

/** Installs the guard's hooks on `app` (before routes are added). */
export function installHttpGuard(app: FastifyInstance, opts: HttpGuardOptions): void {
  const guard = new AccessGuard(opts.access, opts.metrics);
  const limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT, opts.now);
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (req, reply) => {
    if (isPublic(req)) return;
    const header = req.headers.authorization;
    const token =
      bearerToken(header) ??
      (req.routeOptions.config.basicAuth === true ? basicPassword(header) : undefined);
    const result = await guard.authenticate(token, 'http');
    if (!result.ok) {
      return refuse(reply, 401, 'UNAUTHENTICATED', `authentication required: ${result.reason}`, {
        'www-authenticate': 'Bearer realm="mezzo"',
      });
    }
    const pace = req.routeOptions.config.pace;
    const refusal = pace ? await pace(result.principal) : overRate(limiter, result.principal);
    if (refusal) {
      return refuse(reply, 429, 'TOO_MANY_REQUESTS', refusal.message, {
        'retry-after': String(refusal.retryAfterS),
      });
    }
    req.principal = result.principal;
    return undefined;
  });

  // After validation, so that a route's questions may read its query string and body.
  app.addHook('preHandler', async (req, reply) => {
    if (isPublic(req)) return;
    const who = req.principal;
    if (!who) return refuse(reply, 401, 'UNAUTHENTICATED', 'authentication required');
    const verdict = await guard.authorize(who, await questionsOf(req));
    if (!verdict.allowed) return refuse(reply, 403, 'FORBIDDEN', verdict.message);
    return undefined;
  });
}
