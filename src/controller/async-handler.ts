/**
 * gRPC handlers that wait (for authentication) before they act. grpc-js calls a handler
 * and ignores what it returns, so a handler here stays synchronous and ends its call
 * itself when the work it started fails: an unexpected error is logged and counted with
 * an ID, and the caller gets INTERNAL naming that ID, as from the service guard.
 */
import * as grpc from '@grpc/grpc-js';
import { grpcError } from '../shared/grpc.js';
import { failureOf } from '../shared/grpc-guard.js';
import { reportInternalError } from '../shared/internal-errors.js';
import type { ControllerCore } from './core.js';

/** Runs `work`; if it rejects, `end` receives the status the call ends with. */
export function settle(
  core: ControllerCore,
  method: string,
  work: Promise<void>,
  end: (err: grpc.ServiceError) => void,
): void {
  work.catch((err: unknown) => {
    const failure = failureOf(err);
    if (!failure.internal) {
      end(grpcError(failure.code, failure.details));
      return;
    }
    const errorId = reportInternalError(
      { logger: core.log, metrics: core.opts.metrics, component: 'controller' },
      'grpc',
      err,
      { method },
    );
    end(
      grpcError(grpc.status.INTERNAL, `internal error (ID ${errorId}); the controller logged it`),
    );
  });
}
