// The gRPC fuzz test (issue 12): the scheduler and agent services of a real controller
// get random bytes as messages (through a raw client with passthrough serializers),
// well-formed messages with hostile content, calls before subscribing and for unknown
// frameworks, hostile subscriptions, and agent streams saying anything an agent could.
// The oracle: every call ends with a proper status (a known code; a message unless OK;
// never UNKNOWN, which is a handler's unguarded throw), the controller keeps serving,
// counts no internal error, and the well-behaved framework, its agent and its task are
// unharmed: the task still runs and a new one launches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { agentProto, schedulerProto } from '../../../src/shared/proto.js';
import {
  agentMessageArb,
  hostileNumber,
  hostileString,
  operationArb,
  roleArb,
  subscribeArb,
  taskStatusArb,
} from './grpc-arbitraries.js';
import { fuzzOptions, startFuzzCluster, type FuzzCluster } from './support.js';
import { authHeader } from '../../support/auth.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';

let c: FuzzCluster;
let channel: grpc.Client | undefined;
let callsOnChannel = 0;
before(async () => {
  c = await startFuzzCluster('grpc');
});
after(async () => {
  channel?.close();
  await c.stop();
});

/**
 * The raw client, on a fresh connection every 200 calls: Node's HTTP/2 server closes a
 * connection whose client resets streams in bulk (its defence against "rapid reset",
 * CVE-2023-44487), and each subscription the fuzzer cancels is such a reset.
 */
function client(): grpc.Client {
  if (!channel || ++callsOnChannel % 200 === 0) {
    channel?.close();
    channel = new grpc.Client(
      c.controller.grpcAddress,
      grpc.credentials.createInsecure(),
      authenticatedOptions({}, {}),
    );
  }
  return channel;
}

const SCHEDULER = schedulerProto().mezzo.v1.Scheduler.service;
const AGENT = agentProto().mezzo.v1.Agent.service;
const pass = (b: Buffer): Buffer => b;
// Hostile content lies outside the generated types on purpose (unknown enum values,
// strings where an enum is due): the encoders take it as they would from any client.
const encodeAgent = AGENT.Connect.requestSerialize as (m: unknown) => Buffer;
const encodeSubscribe = SCHEDULER.Subscribe.requestSerialize as (m: unknown) => Buffer;

// Status codes as plain numbers: a fuzzed answer may carry any.
const OK: number = grpc.status.OK;
const CANCELLED: number = grpc.status.CANCELLED;
const UNKNOWN: number = grpc.status.UNKNOWN;
const INVALID_ARGUMENT: number = grpc.status.INVALID_ARGUMENT;
const NOT_FOUND: number = grpc.status.NOT_FOUND;
const FAILED_PRECONDITION: number = grpc.status.FAILED_PRECONDITION;
const DEADLINE_EXCEEDED: number = grpc.status.DEADLINE_EXCEEDED;

/** IDs that are not the live agent's, framework's or task's. */
const id = (): fc.Arbitrary<string> => hostileString.filter((s) => !c.reserved.has(s));

interface Status {
  code: number;
  details: string;
}

function assertStatus(s: Status, what: string): void {
  assert.ok(Number.isInteger(s.code) && s.code >= 0 && s.code <= 16, `${what}: code ${s.code}`);
  assert.notEqual(s.code, UNKNOWN, `${what}: UNKNOWN (${s.details})`);
  assert.notEqual(s.code, DEADLINE_EXCEEDED, `${what}: never answered`);
  if (s.code !== OK) assert.ok(s.details.length > 0, `${what}: no message`);
}

/** A deadline turns a call the server never answers into a failed assertion. */
function bounded(): grpc.CallOptions {
  return { deadline: Date.now() + 10_000 };
}

function unary(path: string, bytes: Buffer): Promise<Status> {
  return new Promise((resolve) => {
    client().makeUnaryRequest(path, pass, pass, bytes, new grpc.Metadata(), bounded(), (err) => {
      resolve(err ? { code: err.code, details: err.details } : { code: OK, details: '' });
    });
  });
}

/**
 * Runs a streaming call to its status: an answering stream (a SUBSCRIBED event, a
 * `registered`) is cancelled once it has answered, or once everything is written.
 */
function streamed(call: grpc.ClientReadableStream<Buffer>, writes?: Buffer[]): Promise<Status> {
  return new Promise((resolve) => {
    call.on('error', () => undefined);
    call.on('data', () => call.cancel());
    call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details }));
    if (writes) {
      const duplex = call as grpc.ClientDuplexStream<Buffer, Buffer>;
      for (const w of writes) duplex.write(w);
      duplex.end();
    }
  });
}

const METHODS = Object.values(SCHEDULER)
  .concat(Object.values(AGENT))
  .map((m) => ({ path: m.path, requestStream: m.requestStream, responseStream: m.responseStream }));

function call(path: string, requestStream: boolean, responseStream: boolean, bytes: Buffer) {
  if (requestStream)
    return streamed(
      client().makeBidiStreamRequest(path, pass, pass, new grpc.Metadata(), bounded()),
      [bytes],
    );
  if (responseStream)
    return streamed(
      client().makeServerStreamRequest(path, pass, pass, bytes, new grpc.Metadata(), bounded()),
    );
  return unary(path, bytes);
}

test('random bytes as the message of every method get a status', async () => {
  const crafted = [
    Buffer.alloc(0),
    Buffer.alloc(16, 0xff),
    // field 1 as a varint where a message is expected, and a length past the end
    Buffer.from([0x08, 0x96, 0x01]),
    Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x00]),
  ];
  for (const m of METHODS)
    for (const b of crafted)
      assertStatus(
        await call(m.path, m.requestStream, m.responseStream, b),
        `${m.path} ${b.toString('hex')}`,
      );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...METHODS),
      fc.uint8Array({ maxLength: 300 }),
      async (m, bytes) => {
        const s = await call(m.path, m.requestStream, m.responseStream, Buffer.from(bytes));
        assertStatus(s, `${m.path} ${Buffer.from(bytes).toString('hex')}`);
      },
    ),
    fuzzOptions(150),
  );
});

const UNARY = [
  'Accept',
  'Decline',
  'Revive',
  'Suppress',
  'Kill',
  'Acknowledge',
  'Reconcile',
  'Message',
  'Teardown',
] as const;

/** A random body for one of the unary scheduler calls. */
function unaryBodyArb() {
  return fc.record({
    offer_ids: fc.array(id(), { maxLength: 3 }),
    operations: fc.array(operationArb(id()), { maxLength: 2 }),
    filters: fc.record({ refuse_seconds: hostileNumber }),
    roles: fc.array(roleArb, { maxLength: 2 }),
    task_id: id(),
    agent_id: id(),
    grace_period_seconds: hostileNumber,
    uuid: fc.uint8Array({ maxLength: 20 }),
    tasks: fc.array(fc.record({ task_id: id(), agent_id: id() }), { maxLength: 3 }),
    data: fc.uint8Array({ maxLength: 20 }),
  });
}

function serialized(method: (typeof UNARY)[number], header: object, body: object): Buffer {
  return (SCHEDULER[method].requestSerialize as (m: unknown) => Buffer)({ header, ...body });
}

test('calls before subscribing, or for unknown frameworks and streams, are refused', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...UNARY),
      fc.record({ framework_id: id(), stream_id: hostileString }),
      unaryBodyArb(),
      async (method, header, body) => {
        const s = await unary(SCHEDULER[method].path, serialized(method, header, body));
        assertStatus(s, method);
        assert.equal(s.code, NOT_FOUND, `${method}: ${s.details}`);
      },
    ),
    fuzzOptions(100),
  );
});

test('hostile subscriptions are subscribed or refused with a status', async () => {
  await fc.assert(
    fc.asyncProperty(subscribeArb(id()), async (req) => {
      const bytes = encodeSubscribe(req);
      const s = await streamed(
        client().makeServerStreamRequest(
          SCHEDULER.Subscribe.path,
          pass,
          pass,
          bytes,
          new grpc.Metadata(),
          bounded(),
        ),
      );
      assertStatus(s, `Subscribe ${JSON.stringify(req).slice(0, 300)}`);
      // FAILED_PRECONDITION: an earlier case subscribed the same ID with no failover
      // timeout, so it was removed when its stream ended, and a removed ID is refused.
      assert.ok(
        [CANCELLED, INVALID_ARGUMENT].includes(s.code) ||
          (s.code === FAILED_PRECONDITION && /was removed/.test(s.details)),
        `Subscribe: ${s.code} ${s.details}`,
      );
    }),
    fuzzOptions(100),
  );
});

test("a subscribed framework's hostile calls get statuses and hurt no other", async () => {
  // A framework of the fuzzer's own, whose header passes, so the calls reach past it.
  const own = new grpc.Client(
    c.controller.grpcAddress,
    grpc.credentials.createInsecure(),
    authenticatedOptions({}, {}),
  );
  const sub = own.makeServerStreamRequest(
    SCHEDULER.Subscribe.path,
    (m: object) => SCHEDULER.Subscribe.requestSerialize(m),
    (b: Buffer) => SCHEDULER.Subscribe.responseDeserialize(b),
    { framework_info: { name: 'fuzz-hostile', user: 'nobody', roles: ['fuzz-hostile'] } },
  );
  sub.on('error', () => undefined);
  const offers: string[] = [];
  const header = await new Promise<{ framework_id: string; stream_id: string }>((resolve) => {
    sub.on(
      'data',
      (e: {
        type: string;
        subscribed?: { framework_id: string; stream_id: string };
        offers?: { offers: { id: string }[] };
      }) => {
        if (e.type === 'SUBSCRIBED' && e.subscribed) resolve(e.subscribed);
        for (const o of e.offers?.offers ?? []) offers.push(o.id);
      },
    );
  });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...UNARY.filter((m) => m !== 'Teardown')),
        unaryBodyArb(),
        fc.boolean(),
        async (method, body, realOffers) => {
          const b = realOffers ? { ...body, offer_ids: offers.slice(-2) } : body;
          const s = await unary(SCHEDULER[method].path, serialized(method, header, b));
          assertStatus(s, `${method} ${JSON.stringify(b).slice(0, 300)}`);
        },
      ),
      fuzzOptions(150),
    );
    assertStatus(
      await unary(SCHEDULER.Teardown.path, serialized('Teardown', header, {})),
      'Teardown',
    );
  } finally {
    sub.cancel();
    own.close();
  }
});

test('hostile agent streams are answered or ended with a status', async () => {
  const connect = () =>
    client().makeBidiStreamRequest(AGENT.Connect.path, pass, pass, new grpc.Metadata(), bounded());
  // An agent re-registering with a task whose resources do not parse took the
  // controller down (issue 12): now that agent is disconnected with the reason.
  const bad = encodeAgent({
    reregister: {
      agent_info: { id: 'fuzz-agent-bad-task', hostname: 'h', resources: [] },
      tasks: [
        { task_id: 't', framework_id: 'f', resources: [{ name: '', type: 'SCALAR', scalar: 1 }] },
      ],
      latest_statuses: [{ task_id: 't', state: 'TASK_RUNNING' }],
    },
  });
  const s = await streamed(connect(), [bad]);
  assertStatus(s, 'reregister with a task of invalid resources');
  assert.equal(s.code, INVALID_ARGUMENT, s.details);
  await fc.assert(
    fc.asyncProperty(
      fc.array(agentMessageArb(id()), { minLength: 1, maxLength: 5 }),
      async (msgs) => {
        const st = await streamed(
          connect(),
          msgs.map((m) => encodeAgent(m)),
        );
        assertStatus(st, `Connect ${JSON.stringify(msgs).slice(0, 300)}`);
      },
    ),
    fuzzOptions(150),
  );
  // Statuses for tasks nobody launched, from an agent that never registered.
  await fc.assert(
    fc.asyncProperty(taskStatusArb(id()), async (status) => {
      const st = await streamed(connect(), [encodeAgent({ status_update: { status } })]);
      assertStatus(st, 'status_update before register');
    }),
    fuzzOptions(50),
  );
});

test('after the fuzzing: nothing counted as internal, and the honest framework works on', async () => {
  const text = await (await fetch(`${c.http}/metrics`, { headers: authHeader() })).text();
  const internal = [...text.matchAll(/^mezzo_internal_errors_total\{[^}]*\} (\d+)/gm)];
  assert.deepEqual(
    internal.map((m) => m[0]),
    [],
    'internal errors were counted (see the controller log for their stacks)',
  );
  assert.equal(c.controller.core.tasks.get(c.taskId)?.state, 'TASK_RUNNING');
  assert.equal(c.controller.core.agents.get(c.agent.id)?.state, 'active');
  assert.ok(c.agent.isRegistered, 'the real agent is still registered');
  await c.launchAnother(`fuzz-after-${process.pid}`);
});
