/**
 * HTTP/2 flow-control windows wider than grpc-js's 64 KiB. grpc-js neither probes the
 * bandwidth-delay product nor lets a server set its window, so every connection keeps
 * HTTP/2's initial 65,535 bytes, and a receiver grants the next half window only once its
 * event loop has consumed the last. At 10,000 agents the held-tasks bench's 200
 * frameworks share one connection: its acknowledgements, declines and ACCEPTs (about
 * 250 bytes each) could then reach the controller at about 130 a turn of the controller's
 * event loop, whose turns took 0.1–6 s under load, and ACCEPTs waited 14–60 s in the
 * framework's process with both ends' sockets empty and its send window at 0, while their
 * offers timed out (docs/performance.md, "Offers that timed out before their ACCEPTs
 * were read"). A wider window lets the bytes flow while the receiver is busy; what the
 * receiver has not consumed still stops the sender at the window, so memory stays bounded.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** The connection-level (and, for clients, per-stream) receive window: 8 MiB. */
export const FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;

/** Channel options that give a client's connections the wider window (both levels). */
export const WIDE_WINDOW_CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
};

/** The part of grpc-js's Server this reaches into: the HTTP/2 servers it bound. */
interface BoundServers {
  readonly http2Servers?: Map<http2.Http2Server, unknown>;
}

/**
 * Widens the connection-level receive window of every connection `server` accepts from
 * now on (call it once its ports are bound). Stream windows stay at 64 KiB: one caller's
 * stream cannot make the server hold more than before, only the connection as a whole.
 * Returns how many bound HTTP/2 servers it found (0 when a grpc-js release renamed its
 * field: the windows then stay narrow, which a test notices).
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
