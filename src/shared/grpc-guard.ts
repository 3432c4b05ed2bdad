/**
 * The gRPC server's error boundary, put around every method of a service as it is
 * registered. Without it, an exception thrown from a stream's 'data' or 'end' listener
 * escapes into grpc-js's socket callbacks and kills the process, and a unary handler's
 * throw reaches the client as a bare "Unknown error". With it:
 * - a unary (or client-streaming) handler that throws or rejects answers a status:
 *   INVALID_ARGUMENT / NOT_FOUND / ABORTED / UNAVAILABLE for Mezzo's named client-facing
 *   errors, INTERNAL (logged with an error ID, counted) for anything else;
 * - a streaming handler whose listener throws has that call ended with such a status
 *   and a reason; the handler's own 'error' listeners run (so it cleans up as for a
 *   broken connection), and every other call goes on;
 * - every status message is bounded in length, so that one echoing a huge input still
 *   reaches the client.
 */
import * as grpc from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import { MezzoError } from './errors.js';
import { reportInternalError, type ErrorBoundary } from './internal-errors.js';

/** How a thrown value is answered: a status, and whether it is an internal error. */
export interface GrpcFailure {
  code: grpc.status;
  details: string;
  internal: boolean;
}

const CLIENT_FACING: Readonly<Record<string, grpc.status>> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  CONFLICT: grpc.status.ABORTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
};

function isStatusError(err: unknown): err is grpc.ServiceError {
  return (
    err instanceof Error &&
    'code' in err &&
    typeof err.code === 'number' &&
    // CANCELLED (1) … UNAUTHENTICATED (16): a status, and not OK (0).
    err.code >= 1 &&
    err.code <= 16
  );
}

/** Classifies a thrown value (a status error thrown on purpose keeps its status). */
export function failureOf(err: unknown): GrpcFailure {
  if (isStatusError(err))
    return { code: err.code, details: err.details || err.message, internal: false };
  if (err instanceof MezzoError) {
    const code = CLIENT_FACING[err.code];
    if (code !== undefined) return { code, details: err.message, internal: false };
  }
  return { code: grpc.status.INTERNAL, details: '', internal: true };
}

/**
 * The most characters a status message keeps. It travels in an HTTP/2 trailer, percent-
 * encoded (up to 12 bytes a character), and a trailer past the client's metadata limit
 * (8 KiB by default) loses the whole answer: the call would never end for the client.
 * Messages that echo what the client sent (a 100 000-character framework ID) are cut.
 */
export const MAX_STATUS_CHARS = 400;

/** `details` cut to {@link MAX_STATUS_CHARS} characters (never inside a surrogate pair). */
export function boundedDetails(details: string): string {
  if (details.length <= MAX_STATUS_CHARS) return details;
  const chars = Array.from(details);
  if (chars.length <= MAX_STATUS_CHARS) return details;
  return `${chars.slice(0, MAX_STATUS_CHARS - 1).join('')}…`;
}

/** A status error as given, with its message bounded. */
function bounded<E>(err: E): E {
  if (!(err instanceof Error) || !('details' in err) || typeof err.details !== 'string') return err;
  const details = boundedDetails(err.details);
  if (details === err.details) return err;
  return Object.assign(err, { details, message: details });
}

function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** The status to answer `err` with: logged and counted first when it is internal. */
function answerFor(
  boundary: ErrorBoundary,
  where: 'grpc' | 'grpc-stream',
  err: unknown,
  call: { getPeer(): string },
  path: string,
  event?: string,
): grpc.ServiceError {
  const f = failureOf(err);
  let peer = '';
  try {
    peer = call.getPeer();
  } catch {
    // A call whose transport is gone has no peer to name.
  }
  if (!f.internal) {
    boundary.logger.warn('gRPC call refused', {
      method: path,
      peer,
      code: f.code,
      reason: f.details,
    });
    return statusError(f.code, f.details);
  }
  const errorId = reportInternalError(boundary, where, err, {
    method: path,
    peer,
    ...(event ? { event } : {}),
  });
  return statusError(
    grpc.status.INTERNAL,
    `internal error in ${path} (ID ${errorId}); the ${boundary.component} logged it`,
  );
}

/**
 * Makes `call` survive its listeners: an exception thrown by one is caught where the
 * event is emitted, and the call is ended with a status (through its 'error' event, the
 * way grpc-js ends a server stream with a status).
 */
function guardEvents(
  call: EventEmitter & { getPeer(): string },
  boundary: ErrorBoundary,
  path: string,
): void {
  const emit = call.emit.bind(call);
  let ending = false;
  call.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    try {
      // The handlers end a stream with a status through its 'error' event.
      return emit(event, ...(event === 'error' ? args.map(bounded) : args));
    } catch (err) {
      const name = String(event);
      if (ending) {
        // A listener of the ending itself threw: log it, the call is over anyway.
        reportInternalError(boundary, 'grpc-stream', err, { method: path, event: name });
        return true;
      }
      ending = true;
      const status = answerFor(boundary, 'grpc-stream', err, call, path, name);
      try {
        emit('error', status);
      } catch (again) {
        reportInternalError(boundary, 'grpc-stream', again, { method: path, event: 'error' });
      }
      return true;
    }
  };
}

type Callback = (err: grpc.ServiceError | null, value?: unknown) => void;
type Handler = (call: EventEmitter & { getPeer(): string }, callback?: Callback) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && 'then' in v && typeof v.then === 'function';
}

function guardMethod(
  fn: Handler,
  self: unknown,
  path: string,
  unaryAnswer: boolean,
  boundary: ErrorBoundary,
): Handler {
  return (call, callback) => {
    guardEvents(call, boundary, path);
    let answered = false;
    const once: Callback = (err, value) => {
      if (answered || !callback) return;
      answered = true;
      callback(err && bounded(err), value);
    };
    const fail = (err: unknown): void => {
      const status = answerFor(boundary, 'grpc', err, call, path);
      if (unaryAnswer) once(status);
      else call.emit('error', status);
    };
    try {
      const r = unaryAnswer ? fn.call(self, call, once) : fn.call(self, call);
      if (isThenable(r)) r.then(undefined, fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** `impl` with every method of `service` guarded (methods it lacks stay unimplemented). */
export function guardService(
  service: grpc.ServiceDefinition,
  impl: grpc.UntypedServiceImplementation,
  boundary: ErrorBoundary,
): grpc.UntypedServiceImplementation {
  const guarded: grpc.UntypedServiceImplementation = {};
  for (const [name, attrs] of Object.entries(service)) {
    const fn = (impl[name] ?? (attrs.originalName ? impl[attrs.originalName] : undefined)) as
      Handler | undefined;
    if (!fn) continue;
    guarded[name] = guardMethod(
      fn,
      impl,
      attrs.path,
      !attrs.responseStream,
      boundary,
    ) as grpc.UntypedHandleCall;
  }
  return guarded;
}
