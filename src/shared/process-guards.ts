/**
 * What a server process does with an exception no boundary caught.
 *
 * - An unhandled promise rejection is logged with its stack and counted, and the process
 *   goes on. (Node 20 would exit.) A rejection surfaces after the code that started the
 *   promise has returned, so it has not left a synchronous update half-done; it is a
 *   lost result, e.g. a fire-and-forget write that failed.
 * - An uncaught exception is logged with its stack and counted, and then the process
 *   exits with status 1. It was thrown from inside some callback, part-way through an
 *   update of in-memory state (the allocator's books, the offer book, a task record)
 *   that may now break its invariants; serving on from such state could hand out
 *   resources twice or lose a task's final state. The supervisor (Kubernetes, or the
 *   user re-running `mezzo dev`) restarts the process, which rebuilds its state from the
 *   store and from the agents' re-registration, as after any crash. Every request path
 *   has its own boundary (HTTP, gRPC, agent messages), so nothing a client sends gets
 *   here: this is the last line for bugs, and it fails loudly.
 */
import { reportInternalError, type ErrorBoundary } from './internal-errors.js';

/** How long an exiting process gives its log line to reach stdout. */
const EXIT_FLUSH_MS = 200;

/** Installs both handlers; returns a function that removes them. */
export function installProcessGuards(boundary: ErrorBoundary): () => void {
  const onRejection = (reason: unknown): void => {
    reportInternalError(boundary, 'unhandled-rejection', reason);
  };
  let exiting = false;
  const onException = (err: Error, origin: string): void => {
    reportInternalError(boundary, 'uncaught-exception', err, { origin });
    if (exiting) return;
    exiting = true;
    boundary.logger.error(
      'exiting after an uncaught exception: in-memory state may be inconsistent; a restart recovers from the store and the agents',
    );
    process.exitCode = 1;
    setTimeout(() => process.exit(1), EXIT_FLUSH_MS);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
