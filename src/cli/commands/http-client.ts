/**
 * The CLI's calls to a controller's HTTP API: JSON in and out, and errors that say what
 * to do — where the controller was looked for, or the controller's own message.
 */

/** A call to the controller failed: unreachable, or answered with an error. */
export class ControllerRequestError extends Error {
  override readonly name = 'ControllerRequestError';

  constructor(
    message: string,
    /** The URL called. */
    readonly url: string,
    /** The HTTP status, when the controller answered. */
    readonly status?: number,
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
    const msg = (body as { error?: unknown } | null)?.error;
    throw new ControllerRequestError(
      typeof msg === 'string' ? msg : `${url}: HTTP ${res.status}`,
      url,
      res.status,
    );
  }
  return body;
}
