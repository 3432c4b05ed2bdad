// HTTP/2 flow-control windows of the controller's gRPC connections: the controller grants
// a connection 1 MiB to send before it must wait (not HTTP/2's initial 64 KiB, which let
// the frameworks' ACCEPTs wait 14–60 s behind a busy controller), its streams 64 KiB each,
// and a Mezzo client (the SDK, agents) grants the controller 1 MiB for what it sends back.
// Seen from the other end of a real connection: a raw HTTP/2 peer reads its windows.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../../../src/shared/grpc-flow-window.js';
import { startController } from './support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Round-trips a PING: every frame the peer sent before its answer has been read. */
async function settled(session: http2.Http2Session): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    session.ping((err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

test('the controller grants each connection a 1 MiB window; its streams keep 64 KiB', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const session = http2.connect(`http://${controller.grpcAddress}`);
  cleanup.push(() => {
    session.destroy();
  });
  await once(session, 'remoteSettings');
  await settled(session);
  const cases = [
    {
      what: 'connection window',
      got: session.state.remoteWindowSize,
      want: FLOW_CONTROL_WINDOW_BYTES,
    },
    { what: 'stream window', got: session.remoteSettings.initialWindowSize, want: 65_535 },
  ];
  for (const c of cases) assert.equal(c.got, c.want, c.what);
});

test('a Mezzo gRPC client grants its peer 1 MiB per connection and per stream', async () => {
  const server = http2.createServer();
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  );
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (s) => {
    sessions.push(s);
    cleanup.push(() => {
      s.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = new grpc.Client(
    `127.0.0.1:${String(port)}`,
    grpc.credentials.createInsecure(),
    CLIENT_OPTIONS,
  );
  cleanup.push(() => {
    client.close();
  });
  await new Promise<void>((resolve, reject) => {
    client.waitForReady(Date.now() + 30_000, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
  const session = sessions[0];
  assert.ok(session, 'the client connected');
  await settled(session);
  const cases = [
    {
      what: 'connection window',
      got: session.state.remoteWindowSize,
      want: FLOW_CONTROL_WINDOW_BYTES,
    },
    {
      what: 'stream window',
      got: session.remoteSettings.initialWindowSize,
      want: FLOW_CONTROL_WINDOW_BYTES,
    },
  ];
  for (const c of cases) assert.equal(c.got, c.want, c.what);
});
