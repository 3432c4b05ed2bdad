// An agent keeps trying a controller that is down at its own reconnect bounds, not at
// gRPC's: the channel's reconnect backoff (by default growing by 1.6× up to 120 s) is
// bounded by the agent's reconnect maximum. Before, a controller down for a minute was
// tried again only every 30–120 s whatever the agent's bounds said, which delayed the
// return of every agent after a long controller restart. The "controller" here is a TCP
// listener on loopback that accepts and drops each connection, and counts them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { startSimAgents } from '../../../src/sim/index.js';
import { TEST_TOKEN } from '../../support/auth.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** How long the controller stays down. */
const DOWN_MS = 10_000;
const RECONNECT_MAX_S = 0.3;

test('a controller that is down is tried at the agent reconnect maximum, not gRPC backoff', async (t) => {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    attempts++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const sim = await startSimAgents({
    controller: `127.0.0.1:${String(address.port)}`,
    token: TEST_TOKEN,
    count: 1,
    prefix: 'down',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: RECONNECT_MAX_S,
  });
  cleanup.push(() => sim.close());
  await new Promise((r) => setTimeout(r, DOWN_MS));
  // gRPC's own backoff (0.2 s × 1.6ⁿ) allows about 7 attempts in 10 s; the agent's bound
  // (at most 0.3 s between attempts) allows 33. Half of that leaves room for a slow machine.
  const bounded = DOWN_MS / (RECONNECT_MAX_S * 1000);
  t.diagnostic(`${String(attempts)} connection attempts`);
  assert.ok(
    attempts >= bounded / 2,
    `${String(attempts)} connection attempts in ${String(DOWN_MS)} ms (at most ${String(RECONNECT_MAX_S)} s apart: about ${String(Math.floor(bounded))})`,
  );
});
