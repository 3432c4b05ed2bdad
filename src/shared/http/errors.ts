/**
 * The one error body every Mezzo HTTP endpoint answers with,
 * `{"error": {"code": "...", "message": "...", "details": ...}}`, and the mapping from
 * what a route or the framework throws to a status and that body. A client error is 4xx
 * with a message written for the person who sent the request; 5xx is left for real
 * internal errors (whose message names an error ID, never the raw exception).
 */
import { ConflictError, MezzoError, NotFoundError, ValidationError } from '../errors.js';

/** The `error` member of an error body. */
export interface ErrorPayload {
  /** Stable machine-readable code, e.g. `NOT_FOUND`, `INVALID_ARGUMENT`. */
  code: string;
  /** One sentence for a person. */
  message: string;
  /** Structured context (per-field problems, per-object results), when there is any. */
  details?: unknown;
}

/** An error body. */
export interface ErrorBody {
  error: ErrorPayload;
}

/** Builds an error body. */
export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Whether `v` has the error body's shape (for clients and tests). */
export function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return (
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    typeof e.code === 'string' &&
    'message' in e &&
    typeof e.message === 'string'
  );
}

/** A route's answer that is not a success: thrown (or returned) with status and code. */
export class HttpError extends MezzoError {
  /** The HTTP status (4xx, or 5xx for a dependency that is down). */
  readonly status: number;
  /** The error body's `details`. */
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(code, message, { status });
    this.status = status;
    this.details = details;
  }
}

/** The code for a bare status, when nothing more specific is known. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'BAD_REQUEST',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    408: 'REQUEST_TIMEOUT',
    409: 'CONFLICT',
    411: 'LENGTH_REQUIRED',
    413: 'PAYLOAD_TOO_LARGE',
    414: 'URI_TOO_LONG',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    422: 'UNPROCESSABLE',
    431: 'HEADERS_TOO_LARGE',
    503: 'UNAVAILABLE',
  };
  return codes[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
}

/** What to answer for a thrown value; `undefined` when it is an internal error. */
export function clientErrorOf(
  err: unknown,
): { status: number; body: ErrorBody; headers?: Record<string, string> } | undefined {
  if (err instanceof HttpError) {
    return { status: err.status, body: errorBody(err.code, err.message, err.details) };
  }
  if (err instanceof ValidationError) {
    return { status: 422, body: errorBody(err.code, err.message, { path: err.path }) };
  }
  if (err instanceof NotFoundError) return { status: 404, body: errorBody(err.code, err.message) };
  if (err instanceof ConflictError) return { status: 409, body: errorBody(err.code, err.message) };
  // Fastify's own client errors (bad JSON, body too large, wrong media type, …) carry a
  // 4xx statusCode and an FST_ code.
  if (err instanceof Error && 'statusCode' in err && typeof err.statusCode === 'number') {
    const status = err.statusCode;
    if (status >= 400 && status < 500) {
      const message =
        status === 400 && err instanceof SyntaxError ? `invalid JSON: ${err.message}` : err.message;
      return { status, body: errorBody(codeForStatus(status), message) };
    }
  }
  return undefined;
}
