// Mesos' wire formats: protobuf bytes written here by hand from Mesos' field numbers
// (not by the library the adapter uses), JSON with enum names or numbers, unknown fields
// ignored, wrong types and missing required fields refused; RecordIO framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, MalformedMessage } from '../../../src/compat/mesos/codec.js';
import { recordIo } from '../../../src/compat/mesos/events.js';

const CALL = 'mesos.v1.scheduler.Call';
const EVENT = 'mesos.v1.scheduler.Event';
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('protobuf calls decode by Mesos field numbers', () => {
  const cases: { what: string; bytes: Buffer; want: object }[] = [
    {
      // framework_id (1) { value (1) "fw" }, type (2) = REVIVE (5)
      what: 'REVIVE',
      bytes: hex('0a04 0a02 6677 1005'),
      want: { framework_id: { value: 'fw' }, type: 'REVIVE' },
    },
    {
      // type (2) = ACKNOWLEDGE (8); acknowledge (8) { agent_id (1), task_id (2), uuid (3) 0x0102 }
      what: 'ACKNOWLEDGE with bytes',
      bytes: hex('1008 420e 0a03 0a0161 1203 0a0174 1a02 0102'),
      want: {
        type: 'ACKNOWLEDGE',
        acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'AQI=' },
      },
    },
    {
      // an unknown field 99 (varint) is skipped: type (2) = TEARDOWN (2)
      what: 'an unknown field',
      bytes: hex('9806 01 1002'),
      want: { type: 'TEARDOWN' },
    },
  ];
  for (const c of cases) assert.deepEqual(decodeMessage(CALL, 'protobuf', c.bytes), c.want, c.what);
});

test('malformed bodies are refused with the reason', () => {
  const cases: { what: string; format: 'json' | 'protobuf'; body: unknown; says: RegExp }[] = [
    {
      what: 'truncated protobuf',
      format: 'protobuf',
      body: hex('0a04 0a02 66'),
      says: /not a valid Call/,
    },
    // an unknown enum number (type 99) arrives as a number and is refused
    {
      what: 'unknown enum number',
      format: 'protobuf',
      body: hex('1063'),
      says: /99 is not a value of Type/,
    },
    // a length far beyond the body; 4 MiB of nested group starts
    {
      what: 'length past the end',
      format: 'protobuf',
      body: hex('0aff ffff ff0f'),
      says: /not a valid Call/,
    },
    {
      what: 'nested groups',
      format: 'protobuf',
      body: Buffer.alloc(4 * 1024 * 1024, 0x0b),
      says: /not a valid Call/,
    },
    { what: 'not an object', format: 'json', body: [1, 2], says: /an object expected/ },
    {
      what: 'unknown enum name',
      format: 'json',
      body: { type: 'FLY' },
      says: /"FLY" is not a value/,
    },
    {
      what: 'string for a message',
      format: 'json',
      body: { framework_id: 'fw' },
      says: /framework_id: an object/,
    },
    {
      what: 'number for a string',
      format: 'json',
      body: { framework_id: { value: 1 } },
      says: /framework_id\.value: a string/,
    },
    {
      what: 'missing required field',
      format: 'json',
      body: { kill: {} },
      says: /kill\.task_id: required/,
    },
    {
      what: 'bad base64',
      format: 'json',
      body: { acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: '%%' } },
      says: /uuid: base64/,
    },
    {
      what: 'fraction for an int64',
      format: 'json',
      body: {
        kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 1.5 } } },
      },
      says: /nanoseconds: an integer/,
    },
    {
      what: 'array for a map',
      format: 'json',
      body: { subscribe: { framework_info: { user: 'u', name: 'n', offer_filters: [] } } },
      says: /offer_filters: an object/,
    },
  ];
  for (const c of cases) {
    const got = decodeMessage(CALL, c.format, c.body);
    assert.ok(got instanceof MalformedMessage, c.what);
    assert.match(got.message, c.says, c.what);
  }
});

test('JSON takes enums by name or number, 64-bit integers as strings, and ignores unknown fields', () => {
  const got = decodeMessage(CALL, 'json', {
    type: 6,
    kill: {
      task_id: { value: 't' },
      kill_policy: { grace_period: { nanoseconds: '2000000000' } },
      later: true,
    },
    not_a_field: { deep: [1] },
  });
  assert.deepEqual(got, {
    type: 'KILL',
    kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 2e9 } } },
  });
});

test('events encode by Mesos field numbers; RecordIO frames them', () => {
  assert.deepEqual(encodeMessage(EVENT, 'protobuf', { type: 'HEARTBEAT' }), hex('0808'));
  // type (1) = SUBSCRIBED (1); subscribed (2) { framework_id (1) { "f" }, heartbeat (2) double 15 }
  assert.deepEqual(
    encodeMessage(EVENT, 'protobuf', {
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: 'f' }, heartbeat_interval_seconds: 15 },
    }),
    hex('0801 120e 0a03 0a0166 11 0000000000002e40'),
  );
  assert.equal(
    recordIo(Buffer.from('{"type":"HEARTBEAT"}')).toString(),
    '20\n{"type":"HEARTBEAT"}',
  );
  assert.deepEqual(recordIo(Buffer.alloc(0)), Buffer.from('0\n'));
});
