/**
 * Unexpected exceptions caught at a server boundary (an HTTP route, a gRPC handler or
 * stream listener, a message from the controller, the process itself). Each one is a bug
 * or a broken dependency, never a client's mistake: it is logged with its context and
 * stack, counted in `mezzo_internal_errors_total`, and given an ID that the answer to
 * the client quotes, so an operator can find the log line a user reports.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from './logger.js';
import type { MetricsRegistry } from './metrics.js';

/** The counter's name (a Prometheus counter, labels `component` and `where`). */
export const INTERNAL_ERRORS_METRIC = 'mezzo_internal_errors_total';

/**
 * Which boundary caught the error; a closed set so that the counter's label values stay
 * few (the route or method goes into the log line, not the label).
 */
export type ErrorBoundaryKind =
  | 'http'
  | 'grpc'
  | 'grpc-stream'
  | 'controller-message'
  | 'unhandled-rejection'
  | 'uncaught-exception';

/** Where a server logs and counts the exceptions its boundaries catch. */
export interface ErrorBoundary {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** The process part the boundary belongs to: `controller`, `agent`, `dev`, … */
  readonly component: string;
}

/** The counter, created in `metrics` on first use. */
export function internalErrorsCounter(metrics: MetricsRegistry) {
  return metrics.counter(
    INTERNAL_ERRORS_METRIC,
    'Unexpected exceptions caught at a server boundary (each one is logged with its context)',
    ['component', 'where'],
  );
}

/**
 * Logs `err` at error level with `context` and its stack, counts it, and returns the
 * error ID that the log line carries (for the client's answer).
 */
export function reportInternalError(
  boundary: ErrorBoundary,
  where: ErrorBoundaryKind,
  err: unknown,
  context: Record<string, unknown> = {},
): string {
  const errorId = randomBytes(6).toString('hex');
  internalErrorsCounter(boundary.metrics).inc({ component: boundary.component, where });
  boundary.logger.error(`internal error caught at the ${where} boundary`, {
    ...context,
    where,
    errorId,
    error: err instanceof Error ? err.message : String(err),
    errorName: err instanceof Error ? err.name : typeof err,
    stack: err instanceof Error ? err.stack : undefined,
  });
  return errorId;
}
