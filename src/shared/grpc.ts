/**
 * gRPC server plumbing shared by the controller and the agent: bind, report the real
 * port (tests bind port 0 on loopback), guard every handler so that no call can crash
 * the process (grpc-guard.ts), and shut down gracefully with a deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { guardService } from './grpc-guard.js';
import { WIDE_WINDOW_CLIENT_OPTIONS, widenServerWindows } from './grpc-flow-window.js';
import type { ErrorBoundary } from './internal-errors.js';
import { createLogger } from './logger.js';
import { MetricsRegistry } from './metrics.js';

/** A running gRPC server. */
export interface RunningGrpcServer {
  /** The server, for adding services before traffic arrives. */
  readonly server: grpc.Server;
  /** The port actually bound. */
  readonly port: number;
  /** `host:port` clients should dial. */
  readonly address: string;
  /** Stops accepting calls, waits up to `graceMs` for in-flight calls, then forces. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The largest message a Mezzo gRPC server accepts by default (gRPC's own default): an
 * agent re-registering with a few thousand tasks fits; a caller cannot make the server
 * buffer more than this for one message.
 */
export const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** Options shared by every Mezzo gRPC server: keepalives so dead peers are noticed. */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.max_receive_message_length': DEFAULT_MAX_RECEIVE_BYTES,
};

/**
 * Options shared by every Mezzo gRPC client. The keepalive notices a controller that
 * vanished without closing its connections (a node gone, a cut cable) within 30 s; its
 * timeout is not gRPC's usual 5 s because a peer whose event loop is busy for 5 s (a
 * controller under load on 2 cores) then loses its connection although it is alive, and
 * a framework's accepts in flight are lost with it ("Connection dropped").
 */
export const CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  // 1 MiB, not 64 KiB: what a busy controller sends is not held back a half window per
  // turn of this process's event loop (grpc-flow-window.ts).
  ...WIDE_WINDOW_CLIENT_OPTIONS,
};

/**
 * Starts a server on `host:port` (port 0 picks a free one) with the services that
 * `register` adds, each method guarded: its exceptions become statuses, logged and
 * counted through `boundary` (a logger and registry of its own when none is given).
 * Messages larger than `maxReceiveBytes` are refused (RESOURCE_EXHAUSTED). Plaintext
 * unless `credentials` say otherwise (TLS on Kubernetes: src/shared/tls/). `overrides`
 * replace {@link SERVER_OPTIONS} (the controller's keepalive follows its agent liveness).
 */
export async function startGrpcServer(
  host: string,
  port: number,
  register: (server: grpc.Server) => void,
  boundary: ErrorBoundary = {
    logger: createLogger({ defaultMeta: { component: 'grpc' } }),
    metrics: new MetricsRegistry(),
    component: 'grpc',
  },
  maxReceiveBytes: number = DEFAULT_MAX_RECEIVE_BYTES,
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
  overrides: grpc.ServerOptions = {},
): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    ...SERVER_OPTIONS,
    'grpc.max_receive_message_length': maxReceiveBytes,
    ...overrides,
  });
  // Every service goes through the guard, whoever registers it.
  const addService = server.addService.bind(server);
  server.addService = (service, impl) => {
    addService(service, guardService(service, impl, boundary));
  };
  register(server);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, p) => {
      if (err) reject(err);
      else resolve(p);
    });
  });
  widenServerWindows(server);
  const displayHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port: bound,
    address: `${displayHost}:${bound}`,
    stop: (graceMs = 2_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** A gRPC error with a status code, for `callback(err)` in handlers. */
export function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  const err = new Error(details) as grpc.ServiceError;
  err.code = code;
  err.details = details;
  err.metadata = new grpc.Metadata();
  return err;
}
