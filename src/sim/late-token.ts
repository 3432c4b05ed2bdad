/**
 * The simulated agents' bearer token, looked up until it is found and then kept. Read at
 * every Connect it would cost fifty thousand file reads per reconnect wave; read once at
 * start, agents started before `mezzo dev` (whose token file appears when it is up) went
 * without a token for ever and never registered.
 */
import * as grpc from '@grpc/grpc-js';
import { bearer } from '../auth/client-token.js';

/** A token getter: `lookup` runs (one at a time) until it finds a token, which is then kept. */
export function lateToken(
  lookup: () => Promise<string | undefined>,
): () => Promise<string | undefined> {
  let found: string | undefined;
  let pending: Promise<string | undefined> | undefined;
  return () => {
    if (found) return Promise.resolve(found);
    pending ??= lookup()
      .catch(() => undefined)
      .then((token) => {
        found = token;
        pending = undefined;
        return token;
      });
    return pending;
  };
}

/** An interceptor putting `authorization: Bearer <token>` on each call (none found: without). */
export function lateTokenInterceptor(token: () => Promise<string | undefined>): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        void token().then((t) => {
          if (t) metadata.set('authorization', bearer(t));
          next(metadata, listener);
        });
      },
    });
}
