/**
 * The CLI's calls to a controller's HTTP API: JSON in and out, and errors that say what
 * to do — where the controller was looked for, or the controller's own message (from
 * its error body, `{"error": {"code", "message", "details"}}`). Every call carries the
 * bearer token found as src/auth/client-token.ts says (like kubectl's kubeconfig).
 */
import { request } from 'node:https';
import { isIP } from 'node:net';
import { bearer, findToken } from '../../auth/client-token.js';
import { isErrorBody } from '../../shared/http/errors.js';
import type { ClientTls, Endpoints } from './endpoint.js';

/** Where a call goes: a base URL (plain HTTP), or endpoints that may carry TLS trust. */
export type ControllerTarget = string | Pick<Endpoints, 'http' | 'tls'>;

/**
 * `fetch`, or under TLS one HTTPS request that verifies the server against `tls.ca` under
 * `tls.serverName` (the global fetch takes no CA of its own). Answers a standard Response.
 */
export function controllerFetch(
  url: string,
  init: RequestInit,
  tls?: ClientTls,
): Promise<Response> {
  if (!tls) return fetch(url, init);
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        ca: tls.ca,
        // An address is checked against the certificate's IP names; SNI carries only names.
        ...(isIP(tls.serverName) ? {} : { servername: tls.serverName }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === 'string') h.set(k, v);
          }
          const status = res.statusCode ?? 500;
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, headers: h }));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A call to the controller failed: unreachable, or answered with an error. */
export class ControllerRequestError extends Error {
  override readonly name = 'ControllerRequestError';

  constructor(
    message: string,
    /** The URL called. */
    readonly url: string,
    /** The HTTP status, when the controller answered. */
    readonly status?: number,
    /** The error body's code (e.g. NOT_FOUND), when the controller sent one. */
    readonly code?: string,
    /** The error body's details, when the controller sent any. */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Calls `path` on the controller at `server` and returns the parsed JSON body. Statuses in
 * `accept` count as answers (e.g. 422 for `apply`, whose body lists each rejection).
 */
export async function callController(
  target: ControllerTarget,
  path: string,
  init?: RequestInit,
  accept: readonly number[] = [],
): Promise<unknown> {
  const { http: server, tls } =
    typeof target === 'string' ? { http: target, tls: undefined } : target;
  const url = `${server}${path}`;
  const token = await findToken({ address: server });
  const headers = new Headers(init?.headers);
  if (token) headers.set('authorization', bearer(token));
  let res: Response;
  try {
    res = await controllerFetch(url, { ...init, headers }, tls);
  } catch (err) {
    // A TLS failure (an unknown CA, a wrong name) is not "cannot reach": say what it was.
    const why = tls && err instanceof Error && 'code' in err ? ` (${String(err.code)})` : '';
    throw new ControllerRequestError(
      `cannot reach Mezzo at ${server}${why} (is \`mezzo dev\` running? use --server or --kubeconfig to point elsewhere)`,
      url,
    );
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok && !accept.includes(res.status)) {
    if (isErrorBody(body)) {
      const e = body.error;
      const hint =
        res.status === 401
          ? ' (set MEZZO_TOKEN or MEZZO_TOKEN_FILE; `mezzo dev` writes its token to <work dir>/token)'
          : '';
      throw new ControllerRequestError(`${e.message}${hint}`, url, res.status, e.code, e.details);
    }
    throw new ControllerRequestError(`${url}: HTTP ${res.status}`, url, res.status);
  }
  return body;
}
