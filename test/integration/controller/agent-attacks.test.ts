// A registered agent can only speak for its own tasks (issue 13). A fake agent — any
// process that registers with the controller — tries what a hostile one would: mark a
// task another agent runs FINISHED (by a status update, and by claiming it at
// re-registration), and answer a sandbox read the controller asked of another agent with
// its own bytes. Each attempt changes nothing. The fake agent's stream is a barrier: the
// controller handles one stream's messages in order, so once its pong arrives every
// message sent before was handled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { agentProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import type { AgentMessage } from '../../../src/gen/mezzo/v1/AgentMessage.js';
import type { ControllerMessage__Output } from '../../../src/gen/mezzo/v1/ControllerMessage.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { needCgroups } from '../agent/support/harness.js';
import {
  acceptFirstOffer,
  framework,
  launch,
  startAgent,
  startController,
  until,
} from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { authHeader } from '../../support/auth.js';

/** An agent speaking the protocol by hand. */
class FakeAgent {
  readonly got: ControllerMessage__Output[] = [];
  private readonly client;
  private readonly call;
  private nonce = 1;
  ended = false;

  constructor(address: string) {
    const proto = agentProto();
    this.client = new proto.mezzo.v1.Agent(
      address,
      grpc.credentials.createInsecure(),
      CLIENT_OPTIONS,
    );
    // An agent with valid credentials: what it may say is the question, not who it is.
    const metadata = new grpc.Metadata();
    metadata.set('authorization', authHeader().authorization);
    this.call = this.client.Connect(metadata);
    this.call.on('data', (m: ControllerMessage__Output) => this.got.push(m));
    this.call.on('error', () => undefined);
    this.call.on('status', () => (this.ended = true));
  }

  send(m: AgentMessage): void {
    this.call.write(m);
  }

  /** Resolves once everything sent so far was handled (or the stream was refused). */
  async barrier(): Promise<void> {
    const nonce = this.nonce++;
    this.send({ ping: { nonce } });
    await until(
      () =>
        this.ended || this.got.some((m) => m.payload === 'pong' && Number(m.pong?.nonce) === nonce),
      5_000,
      `pong ${nonce}`,
    );
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

let controller: Controller;
let agent: Agent;
let fw: SchedulerClient;
const updates: TaskStatus__Output[] = [];
const cleanup: (() => Promise<void> | void)[] = [];
const TASK = 'victim';

before(async () => {
  ({ controller } = await startController(tempDir('mezzo-attack-ctl-')));
  cleanup.push(() => controller.stop());
});
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A real agent running a real task for a real framework. */
async function victim(): Promise<void> {
  agent = await startAgent(
    controller.grpcAddress,
    'cpus:2;mem:512',
    'victim1',
    '',
    tempDir('mezzo-attack-agent-'),
    testCgroupRoot('attack'),
  );
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
  fw = framework(controller.grpcAddress, 'victims', ['r']);
  cleanup.push(() => fw.close());
  fw.on('update', (s) => updates.push(s));
  acceptFirstOffer(fw, (agentId) => [
    launch(TASK, agentId, 'echo genuine; exec sleep 60', 0.1, 32),
  ]);
  await fw.start();
  await until(
    () => controller.core.tasks.get(TASK)?.state === 'TASK_RUNNING',
    15_000,
    'the victim task running',
  );
}

test("a fake agent cannot end another agent's task", async (t) => {
  if (!needCgroups(t)) return;
  await victim();
  const task = controller.core.tasks.get(TASK);
  assert.ok(task);
  const fake = new FakeAgent(controller.grpcAddress);
  cleanup.push(() => fake.close());
  const finished = (agentId: string) => ({
    task_id: TASK,
    framework_id: task.frameworkId,
    agent_id: agentId,
    state: 'TASK_FINISHED' as const,
    source: 'SOURCE_AGENT' as const,
    message: 'forged',
    timestamp: Date.now() / 1000,
    uuid: Buffer.alloc(16, 9),
  });
  fake.send({
    register: {
      agent_info: { hostname: 'fake', resources: [{ name: 'cpus', type: 'SCALAR', scalar: 1 }] },
    },
  });
  await until(() => fake.got.some((m) => m.payload === 'registered'), 5_000, 'registration');
  const fakeId = fake.got.find((m) => m.payload === 'registered')?.registered?.agent_id ?? '';
  // [attempt, message]
  const attempts: [string, AgentMessage][] = [
    ['an update naming no agent', { status_update: { status: finished('') } }],
    ['an update naming itself', { status_update: { status: finished(fakeId) } }],
    [
      'claiming the task at re-registration',
      {
        reregister: {
          agent_info: {
            id: fakeId,
            hostname: 'fake',
            resources: [{ name: 'cpus', type: 'SCALAR', scalar: 1 }],
          },
          tasks: [{ ...task.info, agent_id: fakeId }],
          latest_statuses: [finished(fakeId)],
        },
      },
    ],
    ['an update after claiming it', { status_update: { status: finished(fakeId) } }],
  ];
  for (const [what, message] of attempts) {
    fake.send(message);
    await fake.barrier();
    const now = controller.core.tasks.get(TASK);
    assert.equal(now?.state, 'TASK_RUNNING', what);
    assert.equal(now.agentId, agent.id, `${what}: still on its agent`);
    assert.equal(
      updates.filter(
        (u) => u.task_id === TASK && u.state !== 'TASK_STARTING' && u.state !== 'TASK_RUNNING',
      ).length,
      0,
      `${what}: the framework heard nothing`,
    );
  }
  // Nothing was acknowledged to the fake either: it was never its update to make.
  assert.equal(fake.got.filter((m) => m.payload === 'acknowledgement').length, 0);
});

test('a fake agent cannot answer a sandbox read asked of another agent', async () => {
  // The agent asked holds its answer back until the attacker's forgery was handled: an
  // agent the test drives by hand, reporting a running task at registration.
  const holder = new FakeAgent(controller.grpcAddress);
  const attacker = new FakeAgent(controller.grpcAddress);
  cleanup.push(() => holder.close());
  cleanup.push(() => attacker.close());
  const cpus = [{ name: 'cpus', type: 'SCALAR' as const, scalar: 1 }];
  holder.send({
    reregister: {
      agent_info: { id: 'holder', hostname: 'holder', resources: cpus },
      tasks: [{ task_id: 'held', framework_id: 'fw-held', name: 'held', command: { value: 'x' } }],
      latest_statuses: [
        {
          task_id: 'held',
          framework_id: 'fw-held',
          agent_id: 'holder',
          state: 'TASK_RUNNING',
          source: 'SOURCE_AGENT',
          timestamp: Date.now() / 1000,
          uuid: Buffer.alloc(16, 3),
        },
      ],
    },
  });
  attacker.send({ register: { agent_info: { hostname: 'attacker', resources: cpus } } });
  await holder.barrier();
  await attacker.barrier();
  const holderRecord = controller.core.agents.get('holder');
  assert.ok(holderRecord, 'the holder registered');
  assert.equal(controller.core.tasks.get('held')?.agentId, 'holder');

  const read = controller.core.files.read(holderRecord, 'held', 'stdout', 0, 1024);
  await until(() => holder.got.some((m) => m.payload === 'read_file'), 5_000, 'the read');
  const requestId = Number(
    holder.got.find((m) => m.payload === 'read_file')?.read_file?.request_id,
  );
  const answer = (data: string): AgentMessage => ({
    file_data: { request_id: requestId, data: Buffer.from(data), offset: 0, eof: true, error: '' },
  });
  attacker.send(answer('FORGED'));
  await attacker.barrier();
  holder.send(answer('genuine'));
  assert.equal((await read).data.toString('utf8'), 'genuine');
});
