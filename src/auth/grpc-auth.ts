/**
 * The gRPC side of the guard: a call's caller from its `authorization: Bearer <token>`
 * metadata (UNAUTHENTICATED without a valid one) and its questions authorized
 * (PERMISSION_DENIED naming what was missing). Answers are values, so a handler decides
 * how its stream ends.
 */
import * as grpc from '@grpc/grpc-js';
import { grpcError } from '../shared/grpc.js';
import type { AccessGuard } from './access-guard.js';
import { bearerToken } from './token.js';
import type { AccessRequest, Principal } from './types.js';

/** The caller, or the status to end the call with. */
export type CallAuth =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly error: grpc.ServiceError };

/** The bearer token of a call's metadata; undefined when there is none. */
export function callToken(metadata: grpc.Metadata): string | undefined {
  const values = metadata.get('authorization');
  const first = values[0];
  if (values.length !== 1 || typeof first !== 'string') return undefined;
  return bearerToken(first);
}

/** Authenticates a call. */
export async function authenticateCall(
  guard: AccessGuard,
  metadata: grpc.Metadata,
): Promise<CallAuth> {
  const result = await guard.authenticate(callToken(metadata), 'grpc');
  if (result.ok) return result;
  return {
    ok: false,
    error: grpcError(grpc.status.UNAUTHENTICATED, `authentication required: ${result.reason}`),
  };
}

/** Authorizes `what` for `who`; undefined when allowed, else the PERMISSION_DENIED status. */
export async function authorizeCall(
  guard: AccessGuard,
  who: Principal,
  what: readonly AccessRequest[],
): Promise<grpc.ServiceError | undefined> {
  const verdict = await guard.authorize(who, what);
  return verdict.allowed ? undefined : grpcError(grpc.status.PERMISSION_DENIED, verdict.message);
}

/** Whether two principals are the same caller (same user name and, when known, uid). */
export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.username === b.username && (a.uid ?? '') === (b.uid ?? '');
}
