// startGrpcServer's guard, on real gRPC over loopback: whatever a handler or one of its
// stream listeners throws becomes a status for that call (INTERNAL with an error ID,
// logged with the stack and counted; or the client-facing status of Mezzo's named
// errors), and the server goes on serving the next call.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import winston from 'winston';
import { ValidationError } from '../../../src/shared/errors.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/shared/grpc.js';
import { createLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { agentProto, schedulerProto } from '../../../src/shared/proto.js';
import type { AgentMessage__Output } from '../../../src/gen/mezzo/v1/AgentMessage.js';

const lines: Record<string, unknown>[] = [];
const logger = createLogger({ format: 'json' });
logger.clear().add(
  new winston.transports.Stream({
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  }),
);
const metrics = new MetricsRegistry();
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

type Unary = (call: unknown, cb: grpc.sendUnaryData<object>) => unknown;

/** A server whose Scheduler.Revive is `revive` and whose Agent.Connect is `connect`. */
async function serve(
  revive: Unary,
  connect: (call: grpc.ServerDuplexStream<AgentMessage__Output, object>) => void,
): Promise<RunningGrpcServer> {
  const s = await startGrpcServer(
    '127.0.0.1',
    0,
    (server) => {
      server.addService(schedulerProto().mezzo.v1.Scheduler.service, { Revive: revive });
      server.addService(agentProto().mezzo.v1.Agent.service, { Connect: connect });
    },
    { logger, metrics, component: 'test' },
  );
  cleanup.push(() => s.stop(100));
  return s;
}

function revive(address: string): Promise<grpc.ServiceError | null> {
  const client = new (schedulerProto().mezzo.v1.Scheduler)(
    address,
    grpc.credentials.createInsecure(),
  );
  cleanup.push(() => client.close());
  return new Promise((resolve) => client.Revive({ roles: [] }, (err) => resolve(err)));
}

function connectOnce(address: string): Promise<grpc.StatusObject> {
  const client = new (agentProto().mezzo.v1.Agent)(address, grpc.credentials.createInsecure());
  cleanup.push(() => client.close());
  const call = client.Connect();
  call.on('error', () => undefined);
  call.on('data', () => undefined);
  call.write({ ping: { nonce: 1 } });
  return new Promise((resolve) => call.on('status', resolve));
}

/** The counter summed over its series (one per `where`). */
async function internalCount(): Promise<number> {
  const text = await metrics.exposition();
  return [...text.matchAll(/^mezzo_internal_errors_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

test('a throwing stream listener ends that call with INTERNAL; the server serves on', async () => {
  let calls = 0;
  const s = await serve(
    (_call, cb) => cb(null, {}),
    (call) => {
      calls++;
      call.on('data', () => {
        // Escaping here took the whole process down before the guard (issue 12).
        throw new TypeError('listener bug');
      });
    },
  );
  const before = await internalCount();
  const st = await connectOnce(s.address);
  assert.equal(st.code, grpc.status.INTERNAL);
  assert.match(st.details, /^internal error in \/mezzo\.v1\.Agent\/Connect \(ID [0-9a-f]{12}\)/);
  assert.equal(await internalCount(), before + 1);
  const id = /ID ([0-9a-f]{12})/.exec(st.details)?.[1];
  const line = lines.find((l) => l.errorId === id);
  assert.ok(line, 'the error is logged with the ID the client was given');
  assert.equal(line.method, '/mezzo.v1.Agent/Connect');
  assert.equal(line.event, 'data');
  assert.match(String(line.stack), /TypeError: listener bug/);
  // The same server answers the next call.
  assert.equal((await connectOnce(s.address)).code, grpc.status.INTERNAL);
  assert.equal(await revive(s.address), null);
  assert.equal(calls, 2);
});

test('unary handlers: throws, rejections and named errors become statuses', async () => {
  // [what the handler does, the status the client gets, counted as internal]
  const cases: [string, Unary, grpc.status, boolean][] = [
    [
      'throws a TypeError',
      () => {
        throw new TypeError('bug');
      },
      grpc.status.INTERNAL,
      true,
    ],
    ['rejects', () => Promise.reject(new Error('async bug')), grpc.status.INTERNAL, true],
    [
      'throws a ValidationError',
      () => {
        throw new ValidationError('roles[0]', 'bad role');
      },
      grpc.status.INVALID_ARGUMENT,
      false,
    ],
    [
      'answers, then throws',
      (_c, cb) => {
        cb(null, {});
        throw new Error('late bug');
      },
      grpc.status.OK,
      true,
    ],
  ];
  for (const [what, handler, code, internal] of cases) {
    const s = await serve(handler, () => undefined);
    const before = await internalCount();
    const err = await revive(s.address);
    assert.equal(err?.code ?? grpc.status.OK, code, what);
    if (code === grpc.status.INVALID_ARGUMENT) assert.equal(err?.details, 'roles[0]: bad role');
    assert.equal(await internalCount(), before + (internal ? 1 : 0), what);
  }
});

test('a status message echoing a huge input is cut, so the answer still arrives', async () => {
  const s = await serve(
    (_call, cb) => {
      cb(
        Object.assign(new Error('x'), {
          code: grpc.status.NOT_FOUND,
          details: `framework ${'x'.repeat(100_000)} is not subscribed`,
        }),
      );
    },
    () => undefined,
  );
  const err = await revive(s.address);
  assert.equal(err?.code, grpc.status.NOT_FOUND);
  // 400 characters: 399 kept and an ellipsis.
  assert.equal(Array.from(err.details).length, 400);
  assert.ok(err.details.endsWith('…'));
});
