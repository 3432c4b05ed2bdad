/**
 * Hostile gRPC messages for the fuzz tests: well-formed protobuf with content no honest
 * peer sends (empty and huge strings, NaN and negative numbers, unknown enum values,
 * resources of every wrong shape, statuses for tasks nobody launched). IDs a fuzzer
 * must not hit (the live agent's, framework's and task's) are filtered out by the
 * caller: a message naming them would be an impersonation, which is issue 13's subject.
 */
import fc from 'fast-check';
import { TASK_STATES } from '../../../src/api/v1alpha1/task.js';

/** Strings an ID, name or role may be given. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '*',
    '..',
    '../../etc/shadow',
    '\u0000',
    '/',
    'default',
    '__proto__',
    'constructor',
    'TASK_RUNNING',
    'a/b',
    'x'.repeat(100_000),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Numbers of every awkward sort. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, NaN, Infinity, -Infinity, 1e308, 2 ** 53, -0, 1e-9),
  fc.double(),
);

// Range bounds stay below 100 000: a range of billions of ports is the validation
// helper's subject (it runs the controller out of heap by design of its bookkeeping).
const rangeArb = fc.record({ begin: fc.nat(100_000), end: fc.nat(100_000) });

/** A Resource of any shape. */
export const resourceArb = fc.record(
  {
    name: fc.oneof(fc.constantFrom('cpus', 'mem', 'disk', 'ports', 'gpus', ''), hostileString),
    type: fc.constantFrom<string | number>('SCALAR', 'RANGES', 'SET', 'TYPE_UNSPECIFIED', 7),
    scalar: hostileNumber,
    ranges: fc.array(rangeArb, { maxLength: 3 }),
    set: fc.array(hostileString, { maxLength: 3 }),
    reservations: fc.array(
      fc.record({
        type: fc.constantFrom<string | number>('STATIC', 'DYNAMIC', 9),
        role: hostileString,
        principal: hostileString,
      }),
      { maxLength: 2 },
    ),
    revocable: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** A TaskInfo (its command is always harmless: whatever the fuzzer launches runs here). */
export function taskInfoArb(id: fc.Arbitrary<string>) {
  return fc.record(
    {
      task_id: id,
      name: hostileString,
      framework_id: id,
      agent_id: id,
      resources: fc.array(resourceArb, { maxLength: 4 }),
      command: fc.record({
        shell: fc.boolean(),
        value: fc.constantFrom('true', ''),
        arguments: fc.constantFrom([], ['true']),
      }),
      kill_grace_period_seconds: hostileNumber,
      labels: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), {
        maxKeys: 3,
      }),
    },
    { requiredKeys: [] },
  );
}

/** A TaskStatus. */
export function taskStatusArb(id: fc.Arbitrary<string>) {
  return fc.record(
    {
      task_id: id,
      state: fc.constantFrom<string | number>(...TASK_STATES, 99),
      message: hostileString,
      source: fc.constantFrom<string | number>('SOURCE_AGENT', 'SOURCE_MASTER', 42),
      reason: fc.constantFrom<string | number>('REASON_UNSPECIFIED', 'REASON_GC_ERROR', 1000),
      agent_id: id,
      framework_id: id,
      timestamp: hostileNumber,
      uuid: fc.uint8Array({ maxLength: 20 }),
    },
    { requiredKeys: [] },
  );
}

/** An AgentInfo. */
export function agentInfoArb(id: fc.Arbitrary<string>) {
  return fc.record(
    {
      id,
      hostname: hostileString,
      node_name: hostileString,
      resources: fc.array(resourceArb, { maxLength: 4 }),
      attributes: fc.array(fc.record({ name: hostileString, text: hostileString }), {
        maxLength: 3,
      }),
      address: hostileString,
      version: hostileString,
    },
    { requiredKeys: [] },
  );
}

/** An AgentMessage of any payload. */
export function agentMessageArb(id: fc.Arbitrary<string>) {
  const info = agentInfoArb(id);
  return fc.oneof(
    info.map((agent_info) => ({ register: { agent_info } })),
    fc
      .record({
        agent_info: info,
        tasks: fc.array(taskInfoArb(id), { maxLength: 3 }),
        latest_statuses: fc.array(taskStatusArb(id), { maxLength: 3 }),
        framework_ids: fc.array(id, { maxLength: 2 }),
      })
      .map((reregister) => ({ reregister })),
    taskStatusArb(id).map((status) => ({ status_update: { status } })),
    fc
      .array(fc.record({ task_id: id, framework_id: id, cpu_user_seconds: hostileNumber }), {
        maxLength: 3,
      })
      .map((tasks) => ({ usage: { tasks, timestamp: 0 } })),
    fc.nat().map((nonce) => ({ ping: { nonce } })),
    fc.nat().map((nonce) => ({ pong: { nonce } })),
    fc
      .record({
        request_id: fc.nat(),
        data: fc.uint8Array({ maxLength: 50 }),
        offset: fc.nat(),
        eof: fc.boolean(),
        error: hostileString,
      })
      .map((file_data) => ({ file_data })),
  );
}

/** A role name. */
export const roleArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('*', 'fuzz', 'a/b', '../x', '', '/', 'a//b', '-', 'x'.repeat(1_000)),
  hostileString,
);

/** A Subscribe request. */
export function subscribeArb(id: fc.Arbitrary<string>) {
  return fc.record({
    framework_info: fc.record(
      {
        id: fc.oneof(fc.constant(''), id),
        name: hostileString,
        user: hostileString,
        roles: fc.array(roleArb, { maxLength: 3 }),
        failover_timeout_seconds: hostileNumber,
        checkpoint: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    suppressed_roles: fc.array(roleArb, { maxLength: 2 }),
  });
}

/** An Operation for Accept (LAUNCH of harmless tasks, or reservations of any shape). */
export function operationArb(id: fc.Arbitrary<string>) {
  return fc.record(
    {
      type: fc.constantFrom<string | number>(
        'LAUNCH',
        'RESERVE',
        'UNRESERVE',
        'TYPE_UNSPECIFIED',
        77,
      ),
      tasks: fc.array(taskInfoArb(id), { maxLength: 2 }),
      resources: fc.array(resourceArb, { maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
}
