/**
 * The CLI's calls to a controller's HTTP API: JSON in and out, and errors that say what
 * to do — where the controller was looked for, or the controller's own message (from
 * its error body, `{"error": {"code", "message", "details"}}`).
 */
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
  let res: Response;
  try {
    res = await fetch(url, init);
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
      throw new ControllerRequestError(e.message, url, res.status, e.code, e.details);
    }
    throw new ControllerRequestError(`${url}: HTTP ${res.status}`, url, res.status);
  }
  return body;
}
