// The agent's side of the agent protocol, fuzzed (issue 12): a stand-in controller (a
// real gRPC server on loopback) registers a real agent, then sends it hostile
// ControllerMessages — malformed ones (a launch without a task ID, an acknowledgement
// without a uuid), absurd heartbeats, launches of tasks with content no controller
// sends, kills and reads for tasks that do not exist, paths that climb out of the
// sandbox. The oracle: after every burst the agent still answers a ping; malformed
// messages are counted as rejected; no internal error is counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import { agentProto } from '../../../src/shared/proto.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { startAgent, until } from '../controller/support.js';
import { hostileNumber, hostileString, taskInfoArb } from './grpc-arbitraries.js';
import { fuzzOptions } from './support.js';

interface Inbound {
  payload?: string;
  pong?: { nonce: number };
}

/** The nonces the agent answered (only those: its other messages are not kept). */
const pongs = new Set<number>();
let stream: grpc.ServerDuplexStream<Inbound, unknown> | undefined;
let server: grpc.Server;
let agent: Agent;
const dir = mkdtempSync(join(tmpdir(), 'mezzo-fuzz-proto-'));
const cgroupRoot = `mezzo-fuzz-proto-${process.pid}`;

/** Writes any object as a ControllerMessage (hostile content on purpose). */
function send(msg: unknown): void {
  assert.ok(stream, 'the agent is connected');
  (stream.write as (m: unknown) => boolean).call(stream, msg);
}

before(async () => {
  server = new grpc.Server();
  server.addService(agentProto().mezzo.v1.Agent.service, {
    Connect(call: grpc.ServerDuplexStream<Inbound, unknown>) {
      stream = call;
      call.on('data', (m: Inbound) => {
        if (m.pong) pongs.add(m.pong.nonce);
        if (m.payload === 'register' || m.payload === 'reregister')
          send({ registered: { agent_id: 'fuzz-proto-agent', heartbeat_interval_seconds: 1 } });
      });
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  agent = await startAgent(
    `127.0.0.1:${port}`,
    'cpus:1;mem:256',
    'proto',
    '',
    join(dir, 'agent'),
    cgroupRoot,
  );
  await until(() => agent.isRegistered, 10_000, 'the agent to register');
});

after(async () => {
  await agent.destroyAllTasks().catch(() => undefined);
  await agent.stop();
  server.forceShutdown();
  await cleanCgroupTrees(cgroupRoot);
  rmSync(dir, { recursive: true, force: true });
});

let nonce = 1_000;
/**
 * Pings the agent and waits for its pong. A burst may have set a heartbeat so short that
 * the agent, hearing nothing for three of them, reconnected (as it should): the ping is
 * then sent again on the new stream.
 */
async function answersPing(): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const n = ++nonce;
    // A sane heartbeat again first, so that the silence check cannot fire meanwhile.
    send({ registered: { agent_id: 'fuzz-proto-agent', heartbeat_interval_seconds: 1 } });
    send({ ping: { nonce: n } });
    for (let i = 0; i < 100; i++) {
      if (pongs.has(n)) return;
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  assert.fail('the agent stopped answering pings');
}

const MALFORMED: unknown[] = [
  { launch_task: {} },
  { launch_task: { task: { task_id: '' }, framework: { id: 'f' } } },
  { launch_task: { task: { task_id: 't' }, framework: { id: '' } } },
  { kill_task: { task_id: '' } },
  { acknowledgement: { task_id: 't', uuid: Buffer.alloc(0) } },
  { acknowledgement: { task_id: '', uuid: Buffer.from('u') } },
  { shutdown_framework: { framework_id: '' } },
];

/** A ControllerMessage of any payload (commands are harmless: `true`). */
const controllerMessageArb = fc.oneof(
  fc
    .record({
      agent_id: fc.constant('fuzz-proto-agent'),
      heartbeat_interval_seconds: hostileNumber,
    })
    .map((registered) => ({ registered })),
  fc
    .record({
      // IDs of at most 1 000 characters here: the agent keeps each launched task's record
      // until its sandbox is collected, and thousands of 100 000-character IDs would
      // fill the test's heap (an ID's length is for the controller's validation to bound).
      task: taskInfoArb(hostileString.filter((s) => s.length <= 1_000)),
      framework: fc.record({
        id: hostileString,
        name: hostileString,
        user: hostileString,
        checkpoint: fc.boolean(),
      }),
    })
    .map((launch_task) => ({ launch_task })),
  fc
    .record({
      task_id: hostileString,
      framework_id: hostileString,
      grace_period_seconds: hostileNumber,
    })
    .map((kill_task) => ({ kill_task })),
  fc
    .record({
      task_id: hostileString,
      framework_id: hostileString,
      uuid: fc.uint8Array({ maxLength: 20 }),
    })
    .map((acknowledgement) => ({ acknowledgement })),
  fc
    .record({
      request_id: fc.nat(),
      task_id: hostileString,
      path: fc.oneof(
        fc.constantFrom('stdout', '../../../etc/shadow', '/etc/passwd', '.mezzo/task.pid', ''),
        hostileString,
      ),
      offset: fc.oneof(fc.nat(), fc.constant(2 ** 53)),
      length: fc.oneof(fc.nat(), fc.constant(2 ** 40)),
    })
    .map((read_file) => ({ read_file })),
  fc.nat().map((n) => ({ pong: { nonce: n } })),
  hostileString.map((framework_id) => ({ shutdown_framework: { framework_id } })),
  fc.constant({}),
);

test('malformed controller messages are counted as rejected and ignored', async () => {
  for (const m of MALFORMED) send(m);
  await answersPing();
  const metrics = await agent.metrics.exposition();
  const rejected = [
    ...metrics.matchAll(/^mezzo_agent_controller_messages_rejected_total\{[^}]*\} (\d+)/gm),
  ];
  // 7 malformed messages above: 3 launch_task, 1 kill_task, 2 acknowledgement, 1 shutdown_framework.
  assert.equal(
    rejected.reduce((s, m) => s + Number(m[1]), 0),
    MALFORMED.length,
    metrics,
  );
});

test('bursts of hostile controller messages leave the agent answering', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(controllerMessageArb, { minLength: 1, maxLength: 6 }),
      async (msgs) => {
        for (const m of msgs) send(m);
        await answersPing();
      },
    ),
    fuzzOptions(100),
  );
  const metrics = await agent.metrics.exposition();
  assert.doesNotMatch(metrics, /^mezzo_internal_errors_total\{/m, 'internal errors were counted');
  const health = await fetch(`http://127.0.0.1:${agent.port}/healthz`);
  assert.equal(health.status, 200);
});
