/**
 * Named error classes. Expected rejections (a declined call, an invalid offer) are values
 * with a reason; these are for broken invariants and for failures that carry context a
 * caller or a log line needs.
 */

/** Base class: every Mezzo error has a stable `code` and structured `context`. */
export class MezzoError extends Error {
  /** Stable machine-readable code, e.g. `INVALID_ARGUMENT`. */
  readonly code: string;
  /** Values that explain the failure, logged as structured fields. */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** Input that does not parse or violates a documented rule; the caller must fix it. */
export class ValidationError extends MezzoError {
  /** Where in the input the problem is, e.g. `spec.resources.cpus`. */
  readonly path: string;

  constructor(path: string, message: string, context: Record<string, unknown> = {}) {
    super('INVALID_ARGUMENT', path ? `${path}: ${message}` : message, { ...context, path });
    this.path = path;
  }
}

/** A named object does not exist. */
export class NotFoundError extends MezzoError {
  constructor(kind: string, name: string) {
    super('NOT_FOUND', `${kind} "${name}" not found`, { kind, name });
  }
}

/** A write lost a race (resource version mismatch); re-read and retry. */
export class ConflictError extends MezzoError {
  constructor(kind: string, name: string, message = 'the object has been modified') {
    super('CONFLICT', `${kind} "${name}": ${message}`, { kind, name });
  }
}

/** An internal invariant does not hold: a bug, never an expected outcome. */
export class InvariantError extends MezzoError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVARIANT', message, context);
  }
}

/** A required external tool or facility (cgroups, a binary) is not available. */
export class UnavailableError extends MezzoError {
  constructor(what: string, message: string, context: Record<string, unknown> = {}) {
    super('UNAVAILABLE', `${what}: ${message}`, { ...context, what });
  }
}

/**
 * A server refused a request for load and said when to try again (HTTP 429 with
 * `Retry-After`): a client that retries sooner only adds to the load it was refused for.
 */
export class ThrottledError extends MezzoError {
  /** How long the server asked the client to wait, in ms. */
  readonly retryAfterMs: number;

  constructor(what: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super(
      'RESOURCE_EXHAUSTED',
      `${what}: refused for load; try again in ${String(retryAfterMs)} ms`,
      { what, retryAfterMs },
      options,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Describes any thrown value for a log line or a status message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
