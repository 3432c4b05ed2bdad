// Hostile agents cannot hurt the controller (issue 12): a real controller process is sent
// agent messages with invalid fields — resources negative, NaN, absurd or unparseable,
// unknown enums, missing or duplicate IDs, huge strings and lists — at registration,
// re-registration and in status updates. Each misbehaving stream is refused with
// INVALID_ARGUMENT and a reason, nothing it sent is recorded, and the process keeps
// serving: a well-behaved agent registers afterwards.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { agentProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';
import type { AgentMessage } from '../../../src/gen/mezzo/v1/AgentMessage.js';
import type { AgentInfo } from '../../../src/gen/mezzo/v1/AgentInfo.js';
import type { TaskInfo } from '../../../src/gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import type { ControllerMessage__Output } from '../../../src/gen/mezzo/v1/ControllerMessage.js';
import {
  controllerPorts,
  getJson,
  killController,
  spawnController,
  type ControllerProcess,
} from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'mezzo-agent-input-'));
let controller: ControllerProcess | undefined;
after(async () => {
  if (controller) await killController(controller);
  await rm(dir, { recursive: true, force: true });
});

/** Opens an agent stream, sends `messages`, and resolves with how the controller ended it. */
function converse(
  address: string,
  messages: AgentMessage[],
): Promise<{ code: grpc.status; details: string; got: ControllerMessage__Output[] }> {
  const proto = agentProto();
  const client = new proto.mezzo.v1.Agent(
    address,
    grpc.credentials.createInsecure(),
    authenticatedOptions(CLIENT_OPTIONS, {}),
  );
  const call = client.Connect();
  const got: ControllerMessage__Output[] = [];
  return new Promise((resolve) => {
    // A stream still open after the messages were handled was not refused.
    const open = setTimeout(() => {
      call.cancel();
    }, 5_000);
    call.on('data', (m: ControllerMessage__Output) => {
      got.push(m);
      // Registered: send the rest (status updates need a registered agent).
      if (m.payload === 'registered') for (const x of messages.slice(1)) call.write(x);
    });
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => {
      clearTimeout(open);
      client.close();
      resolve({ code: s.code, details: s.details, got });
    });
    const [first] = messages;
    if (first) call.write(first);
  });
}

const info = (over: Partial<AgentInfo> = {}): AgentInfo => ({
  id: '',
  hostname: 'h1',
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: 1 }],
  ...over,
});
const task = (over: Partial<TaskInfo> = {}): TaskInfo => ({
  task_id: 't1',
  framework_id: 'fw-1',
  name: 't1',
  command: { shell: true, value: 'true' },
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: 0.1 }],
  ...over,
});
const status = (over: Partial<TaskStatus> = {}): TaskStatus => ({
  task_id: 't1',
  framework_id: 'fw-1',
  state: 'TASK_RUNNING',
  source: 'SOURCE_AGENT',
  timestamp: Date.now() / 1000,
  uuid: Buffer.alloc(16, 1),
  ...over,
});
const reregister = (tasks: TaskInfo[], statuses: TaskStatus[], agent = info({ id: 'a-re' })) => ({
  reregister: { agent_info: agent, tasks, latest_statuses: statuses },
});
const cpus = (scalar: number) => [{ name: 'cpus', type: 'SCALAR' as const, scalar }];
const big = 'x'.repeat(1 << 20);

// [case, messages]: each must end with INVALID_ARGUMENT.
const hostile: [string, AgentMessage[]][] = [
  [
    're-registered task with negative cpus',
    [reregister([task({ resources: cpus(-1) })], [status()])],
  ],
  ['re-registered task with NaN cpus', [reregister([task({ resources: cpus(NaN) })], [status()])]],
  [
    're-registered task with absurd cpus (1e300)',
    [reregister([task({ resources: cpus(1e300) })], [status()])],
  ],
  [
    're-registered task with an unparseable resource (unknown type 7)',
    [
      reregister(
        [task({ resources: [{ name: 'cpus', type: 7 as unknown as 'SCALAR', scalar: 1 }] })],
        [status()],
      ),
    ],
  ],
  [
    're-registered task with a resource without a name',
    [reregister([task({ resources: [{ name: '', type: 'SCALAR', scalar: 1 }] })], [status()])],
  ],
  [
    're-registered task with a backwards port range',
    [
      reregister(
        [task({ resources: [{ name: 'ports', type: 'RANGES', ranges: [{ begin: 9, end: 3 }] }] })],
        [status()],
      ),
    ],
  ],
  [
    're-registered task with an unknown state (99)',
    [reregister([task()], [status({ state: 99 as unknown as 'TASK_RUNNING' })])],
  ],
  [
    're-registered task without a state',
    [reregister([task()], [status({ state: 'TASK_STATE_UNSPECIFIED' })])],
  ],
  [
    're-registered task without an ID',
    [reregister([task({ task_id: '' })], [status({ task_id: '' })])],
  ],
  [
    're-registered task without a framework',
    [reregister([task({ framework_id: '' })], [status()])],
  ],
  ['the same task reported twice', [reregister([task(), task()], [status(), status()])]],
  ['a latest status naming another task', [reregister([task()], [status({ task_id: 't2' })])]],
  [
    'registration with negative resources',
    [{ register: { agent_info: info({ resources: cpus(-4) }) } }],
  ],
  [
    'registration with NaN memory',
    [
      {
        register: {
          agent_info: info({ resources: [{ name: 'mem', type: 'SCALAR', scalar: NaN }] }),
        },
      },
    ],
  ],
  ['registration with a 1 MiB hostname', [{ register: { agent_info: info({ hostname: big }) } }]],
  [
    'registration with an agent ID holding control characters',
    [{ register: { agent_info: info({ id: 'a\n\u0000b' }) } }],
  ],
  [
    'registration with 100,000 attributes',
    [
      {
        register: {
          agent_info: info({
            attributes: Array.from({ length: 100_000 }, (_, i) => ({
              name: `a${String(i)}`,
              text: 'v',
            })),
          }),
        },
      },
    ],
  ],
  ['registration without agent info', [{ register: {} }]],
  [
    'a status update with an unknown state',
    [
      { register: { agent_info: info({ hostname: 'h-s1' }) } },
      { status_update: { status: status({ state: 42 as unknown as 'TASK_RUNNING' }) } },
    ],
  ],
  [
    'a status update without a task ID',
    [
      { register: { agent_info: info({ hostname: 'h-s2' }) } },
      { status_update: { status: status({ task_id: '' }) } },
    ],
  ],
  [
    'a status update without a uuid',
    [
      { register: { agent_info: info({ hostname: 'h-s3' }) } },
      { status_update: { status: status({ uuid: Buffer.alloc(0) }) } },
    ],
  ],
  [
    'a status update with a NaN timestamp',
    [
      { register: { agent_info: info({ hostname: 'h-s4' }) } },
      { status_update: { status: status({ timestamp: NaN }) } },
    ],
  ],
  [
    'a status update with a 1 MiB message',
    [
      { register: { agent_info: info({ hostname: 'h-s5' }) } },
      { status_update: { status: status({ message: big }) } },
    ],
  ],
  [
    'a batch holding a registration (which must go alone, to be admitted first)',
    [
      { register: { agent_info: info({ hostname: 'h-b1' }) } },
      { batch: { messages: [{ register: { agent_info: info({ hostname: 'h-b1x' }) } }] } },
    ],
  ],
  [
    'a batch holding a batch',
    [
      { register: { agent_info: info({ hostname: 'h-b2' }) } },
      { batch: { messages: [{ ping: { nonce: 1 } }, { batch: { messages: [] } }] } },
    ],
  ],
  [
    'a batch whose second message is an invalid status update',
    [
      { register: { agent_info: info({ hostname: 'h-b3' }) } },
      {
        batch: {
          messages: [
            { ping: { nonce: 1 } },
            { status_update: { status: status({ task_id: '' }) } },
          ],
        },
      },
    ],
  ],
];

test('hostile agent messages are refused with INVALID_ARGUMENT and the controller keeps serving', async () => {
  const c = await spawnController(join(dir, 'controller'), await controllerPorts());
  controller = c;
  for (const [what, messages] of hostile) {
    const r = await converse(c.grpcAddress, messages);
    assert.equal(
      r.code,
      grpc.status.INVALID_ARGUMENT,
      `${what}: ended with ${grpc.status[r.code]} "${r.details}"; controller: ${c.output.slice(-1500)}`,
    );
    assert.ok(r.details.length > 0, `${what}: a reason`);
    const health = await fetch(`${c.server}/healthz`).catch(() => undefined);
    assert.equal(health?.status, 200, `${what}: the controller still serves`);
  }
  // Nothing a refused agent reported was recorded: no task, and only the agents whose
  // registration was valid (those that misbehaved later, in a status update).
  const state = await getJson<{ agents: { hostname: string }[]; tasks: unknown[] }>(c, '/state');
  assert.deepEqual(state.tasks, []);
  assert.deepEqual(
    state.agents.map((a) => a.hostname).sort(),
    ['h-b1', 'h-b2', 'h-b3', 'h-s1', 'h-s2', 'h-s3', 'h-s4', 'h-s5'],
    'only the agents whose registration was valid',
  );
  const ok = await converse(c.grpcAddress, [
    { register: { agent_info: info({ hostname: 'good' }) } },
  ]);
  assert.ok(
    ok.got.some((m) => m.payload === 'registered'),
    `a well-behaved agent registers: ${grpc.status[ok.code]} ${ok.details}`,
  );
});
