/**
 * The client side of gRPC authentication: an interceptor that puts
 * `authorization: Bearer <token>` on every call, looking the token up as each call
 * starts (so a token file rotated meanwhile — a projected ServiceAccount token — is
 * re-read, and a `mezzo dev` started after the client is found).
 */
import * as grpc from '@grpc/grpc-js';
import { bearer, findToken, type TokenSource } from './client-token.js';

/** An interceptor adding the token from `source` (none found: the call goes without). */
export function bearerInterceptor(source: TokenSource): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        findToken(source).then(
          (token) => {
            if (token) metadata.set('authorization', bearer(token));
            next(metadata, listener);
          },
          // An unreadable token file: the call goes without and the server says why.
          () => {
            next(metadata, listener);
          },
        );
      },
    });
}

/** Channel options with the bearer interceptor, for a generated client's constructor. */
export function authenticatedOptions(
  options: grpc.ChannelOptions,
  source: TokenSource,
): grpc.ClientOptions {
  return { ...options, interceptors: [bearerInterceptor(source)] };
}
