// Property: decoding arbitrary bytes as any request or response of the scheduler and
// agent APIs either yields a message or throws an Error (which grpc-js answers with a
// status) — never anything else, never a hang — and a decoded message encodes again.
// Fixed seed, bounded count; MEZZO_FUZZ_RUNS for longer runs (`npm run fuzz`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { agentProto, schedulerProto } from '../../../src/shared/proto.js';
import { fuzzOptions } from '../../support/fuzz.js';

const methods = [
  ...Object.values(schedulerProto().mezzo.v1.Scheduler.service),
  ...Object.values(agentProto().mezzo.v1.Agent.service),
];

/** Bytes that are mostly protobuf-shaped: valid tags and lengths with random payloads. */
const protobufish = fc
  .array(
    fc.tuple(
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(0, 1, 2, 5),
      fc.uint8Array({ maxLength: 12 }),
    ),
    { maxLength: 8 },
  )
  .map((fields) =>
    Buffer.concat(
      fields.map(([n, wire, payload]) =>
        Buffer.concat([
          Buffer.from([(n << 3) | wire]),
          wire === 2 ? Buffer.from([payload.length]) : Buffer.alloc(0),
          Buffer.from(payload),
        ]),
      ),
    ),
  );

for (const side of ['request', 'response'] as const) {
  test(`decoding arbitrary bytes as a ${side} yields a message or an Error`, () => {
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...methods),
        fc.oneof(fc.uint8Array({ maxLength: 200 }), protobufish),
        (m, bytes) => {
          const decode = side === 'request' ? m.requestDeserialize : m.responseDeserialize;
          const encode = (side === 'request' ? m.requestSerialize : m.responseSerialize) as (
            v: unknown,
          ) => Buffer;
          let value: unknown;
          try {
            value = decode(Buffer.from(bytes));
          } catch (err) {
            assert.ok(err instanceof Error, `${m.path}: threw ${String(err)}`);
            return;
          }
          decoded++;
          assert.equal(typeof value, 'object', m.path);
          assert.ok(Buffer.isBuffer(encode(value)), m.path);
        },
      ),
      fuzzOptions(300),
    );
    // The generators reach past the decoder's first check.
    assert.ok(decoded > 0);
  });
}
