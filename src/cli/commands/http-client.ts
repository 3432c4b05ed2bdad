/**
 * The CLI's calls to a controller's HTTP API: JSON in and out, and errors that say what
 * to do — where the controller was looked for, or the controller's own message (from
 * its error body, `{"error": {"code", "message", "details"}}`). Every call carries the
 * bearer token found as src/auth/client-token.ts says (like kubectl's kubeconfig).
 */
import { bearer, findToken } from '../../auth/client-token.js';
import { isErrorBody } from '../../shared/http/errors.js';

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
  server: string,
  path: string,
  init?: RequestInit,
  accept: readonly number[] = [],
): Promise<unknown> {
  const url = `${server}${path}`;
  const token = await findToken({ address: server });
  const headers = new Headers(init?.headers);
  if (token) headers.set('authorization', bearer(token));
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch {
    throw new ControllerRequestError(
      `cannot reach Mezzo at ${server} (is \`mezzo dev\` running? use --server or --kubeconfig to point elsewhere)`,
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
