/**
 * Wider HTTP/2 flow-control windows than grpc-js's 64 KiB. grpc-js neither probes the
 * bandwidth-delay product nor lets a server set its window, so every connection kept
 * HTTP/2's initial 65,535 bytes, and a receiver grants the next half window only once its
 * event loop has consumed the last. At 10,000 agents the held-tasks bench's 200
 * frameworks share one connection: their acknowledgements, declines and ACCEPTs (about
 * 250 bytes each) then reached a busy controller a half window (about 130 calls) per turn
 * of its event loop, whose turns took 0.1–6 s under load; ACCEPTs waited 14–60 s in the
 * frameworks' process with both ends' sockets empty and its send window at 0, and their
 * offers timed out; offers took up to 26 s the other way (docs/performance.md). 1 MiB a
 * connection, both ways, lets about 2,000 such messages through a turn. Wider still
 * (8 MiB both ways was tried) lets megabytes queue in the sockets ahead of the HTTP/2
 * keepalive PINGs, which a client gives 20 s: in one such run 4,534 of 10,000 ACCEPTs
 * failed on the frameworks' side although the controller had carried out all of them.
 * A server's stream windows stay at 64 KiB: one stream cannot make it hold more than
 * before.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** The connection-level receive window of Mezzo's gRPC servers and clients: 1 MiB. */
export const FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

/** Channel options that give a client's connections the wider window (and its streams). */
export const WIDE_WINDOW_CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
};

/** The part of grpc-js's Server this reaches into: the HTTP/2 servers it bound. */
interface BoundServers {
  readonly http2Servers?: Map<http2.Http2Server, unknown>;
}

/**
 * Widens the connection-level receive window of every connection `server` accepts from
 * now on (call it once its ports are bound). Returns how many bound HTTP/2 servers it
 * found (0 when a grpc-js release renamed its field: the windows then stay narrow, which
 * test flow-window notices).
 */
export function widenServerWindows(server: grpc.Server, bytes = FLOW_CONTROL_WINDOW_BYTES): number {
  const bound = (server as unknown as BoundServers).http2Servers;
  if (!(bound instanceof Map)) return 0;
  for (const h2 of bound.keys()) {
    h2.on('session', (session: http2.ServerHttp2Session) => {
      session.setLocalWindowSize(bytes);
    });
  }
  return bound.size;
}
