/**
 * TLS for Mezzo's servers and clients from a {@link CertificateReloader} (servers) or a
 * CA file (clients). The gRPC server takes its certificate through grpc-js' certificate
 * provider interface, the HTTPS server through `setSecureContext`, so both serve a rotated
 * certificate on the next handshake without a restart. Clients verify the server against
 * the CA they are given; the CA file is read when a channel is made, so a reconnect after
 * a CA rotation uses the new one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { RequestListener } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { CertificateReloader, ServingPair } from './certificate-reloader.js';

type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** A grpc-js certificate provider that serves the reloader's current pair. */
export function grpcCertificateProvider(
  reloader: CertificateReloader,
): grpc.experimental.CertificateProvider {
  const unsubscribe = new Map<IdentityListener, () => void>();
  const send = (fn: IdentityListener, pair: ServingPair) =>
    fn({ certificate: pair.cert, privateKey: pair.key });
  return {
    addCaCertificateListener: () => undefined,
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (fn) => {
      unsubscribe.set(
        fn,
        reloader.onChange((pair) => send(fn, pair)),
      );
      // grpc-js registers its own watcher just after this call returns: the first pair
      // must arrive after that, or the server would start with no certificate.
      setImmediate(() => {
        if (unsubscribe.has(fn)) send(fn, reloader.current());
      });
    },
    removeIdentityCertificateListener: (fn) => {
      unsubscribe.get(fn)?.();
      unsubscribe.delete(fn);
    },
  };
}

/** gRPC server credentials: TLS from `reloader`, or plaintext without one (dev mode). */
export function grpcServerCredentials(reloader?: CertificateReloader): grpc.ServerCredentials {
  if (!reloader) return grpc.ServerCredentials.createInsecure();
  // grpc-js passes its first argument on as the identity provider; no client certificates.
  return grpc.experimental.createCertificateProviderServerCredentials(
    grpcCertificateProvider(reloader),
    null,
    false,
  );
}

/** gRPC channel credentials that verify the server against `caFile`; plaintext without one. */
export function grpcChannelCredentials(caFile?: string): grpc.ChannelCredentials {
  if (!caFile) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(readFileSync(caFile));
}

/** Channel options that make TLS verify `serverName` instead of the dialled host. */
export function withServerName(
  options: grpc.ChannelOptions,
  serverName: string | undefined,
): grpc.ChannelOptions {
  if (!serverName) return options;
  return {
    ...options,
    'grpc.ssl_target_name_override': serverName,
    'grpc.default_authority': serverName,
  };
}

/** An HTTPS server whose certificate follows `reloader` (for fastify's `serverFactory`). */
export function httpsServer(reloader: CertificateReloader, handler: RequestListener): HttpsServer {
  const { cert, key } = reloader.current();
  const server = createServer({ cert, key }, handler);
  const stop = reloader.onChange((pair) =>
    server.setSecureContext({ cert: pair.cert, key: pair.key }),
  );
  server.once('close', stop);
  return server;
}
