// An agent whose re-registration waits its turn at a live controller keeps waiting on that
// stream: it does not give up after 3 heartbeat intervals and ask again at the back of the
// queue. A controller taking back 25,000 agents answered the last ones more than 45 s
// (3 intervals of 15 s) after they asked; the agents that gave up re-registered, and
// hundreds were declared unreachable while their new registrations waited. Here a
// controller on real gRPC answers the first registration at once with a 0.2 s heartbeat,
// ends the stream, and answers the re-registration after 15 heartbeat intervals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { startGrpcServer } from '../../../src/shared/grpc.js';
import { agentProto } from '../../../src/shared/proto.js';
import { startSimAgents } from '../../../src/sim/index.js';
import type { AgentMessage__Output } from '../../../src/gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage } from '../../../src/gen/mezzo/v1/ControllerMessage.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { until } from '../controller/support.js';

type Stream = grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>;

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const HEARTBEAT_S = 0.2;
/** How long the second registration waits for its answer: 15 heartbeat intervals. */
const QUEUED_MS = 3_000;

test('a re-registration queued at a live controller is waited for, not sent again', async () => {
  let connects = 0;
  const timers: NodeJS.Timeout[] = [];
  cleanup.push(() => {
    for (const t of timers) clearTimeout(t);
  });
  const server = await startGrpcServer('127.0.0.1', 0, (s) => {
    s.addService(agentProto().mezzo.v1.Agent.service, {
      Connect: (call: Stream) => {
        const n = ++connects;
        call.on('error', () => undefined);
        call.on('data', (m: AgentMessage__Output) => {
          if (m.payload === 'ping') call.write({ pong: { nonce: m.ping?.nonce ?? 0 } });
          if (m.payload !== 'register' && m.payload !== 'reregister') return;
          const answer = () =>
            call.write({
              registered: { agent_id: 'queued-1', heartbeat_interval_seconds: HEARTBEAT_S },
            });
          if (n === 2) timers.push(setTimeout(answer, QUEUED_MS));
          else answer();
          // The first stream ends once answered: the agent comes back to re-register.
          if (n === 1) call.end();
        });
      },
    });
  });
  cleanup.push(() => server.stop(200));
  const sim = await startSimAgents({
    controller: server.address,
    token: TEST_TOKEN,
    count: 1,
    prefix: 'queued',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.2,
  });
  cleanup.push(() => sim.close());
  const agent = sim.agents[0];
  assert.ok(agent);
  await until(() => agent.registrationCount >= 2, 30_000, 'the agent registered again');
  assert.equal(connects, 2, 'the queued re-registration was answered on its own stream');
  assert.ok(agent.isRegistered);
});
