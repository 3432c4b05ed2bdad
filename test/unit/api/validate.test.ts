// The one validation (src/api/validate.ts) on objects of every kind: what it rejects and
// the exact apiserver-style line it says, what it accepts, and the defaults it fills in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '../../../src/api/validate.js';
import type { StoredObject } from '../../../src/store/types.js';

const API = 'mezzo.dev/v1alpha1';
const task = (spec: Record<string, unknown>, name = 't1') => ({
  apiVersion: API,
  kind: 'Task',
  metadata: { name },
  spec,
});
const res = (r: Record<string, unknown>) =>
  task({ command: 'x', resources: { cpus: 1, mem: 64, ...r } });
const app = (spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'App',
  metadata: { name: 'web' },
  spec,
});
const schedule = (spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'Schedule',
  metadata: { name: 'job' },
  spec: { command: 'x', ...spec },
});

function messages(raw: unknown, old?: StoredObject): string[] {
  const v = validateObject(raw, old);
  return v.ok ? [] : v.errors.map((e) => e.message);
}

const CPUS_MIN = 'cpus must be at least 0.01, the smallest share Mezzo allocates';
const MEM_RANGE = 'mem must be between 1Mi and 16Ti (a plain number counts MiB)';
const NOT_CHECKED =
  '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

// Each case: the object, and a line its rejection must contain. These objects were all
// accepted by the embedded store before (it checked a Task's command, cpus > 0 and that
// mem was present, nothing of Apps and Schedules).
const rejected: [string, unknown, string][] = [
  // mem: 0 gave a task an unlimited memory cgroup.
  ['mem 0', res({ mem: 0 }), `spec.resources.mem: Invalid value: "": ${MEM_RANGE}`],
  ['mem 0Mi', res({ mem: '0Mi' }), `spec.resources.mem: Invalid value: "": ${MEM_RANGE}`],
  // 1023Ki = 0.999 MiB < 1Mi.
  ['mem below 1Mi', res({ mem: '1023Ki' }), `spec.resources.mem: Invalid value: "": ${MEM_RANGE}`],
  // 16Ti + 1 MiB = 16777217 MiB > 16777216.
  ['mem above 16Ti', res({ mem: 16777217 }), `spec.resources.mem: Invalid value: "": ${MEM_RANGE}`],
  // cpus 0.0001 < 0.01 gave a task no CFS quota.
  [
    'cpus 0.0001',
    res({ cpus: 0.0001 }),
    `spec.resources.cpus: Invalid value: "number": ${CPUS_MIN}`,
  ],
  // An integer 0 passes a schema minimum of 0.01 on the apiserver (int64(0.01) = 0): the CEL
  // rule is what rejects it there, and here.
  ['cpus 0', res({ cpus: 0 }), `spec.resources.cpus: Invalid value: "number": ${CPUS_MIN}`],
  [
    'cpus above 4096',
    res({ cpus: 4096.5 }),
    'spec.resources.cpus: Invalid value: 4096.5: spec.resources.cpus in body should be less than or equal to 4096',
  ],
  // ports: 1e9 ran the controller out of heap.
  [
    'ports 1e9',
    res({ ports: 1e9 }),
    'spec.resources.ports: Invalid value: 1000000000: spec.resources.ports in body should be less than or equal to 100',
  ],
  [
    'negative ports',
    res({ ports: -1 }),
    'spec.resources.ports: Invalid value: -1: spec.resources.ports in body should be greater than or equal to 0',
  ],
  [
    'fractional ports',
    res({ ports: 1.5 }),
    'spec.resources.ports: Invalid value: "number": spec.resources.ports in body must be of type integer: "number"',
  ],
  [
    'gpus -1',
    res({ gpus: -1 }),
    'spec.resources.gpus: Invalid value: -1: spec.resources.gpus in body should be greater than or equal to 0',
  ],
  [
    'disk -1',
    res({ disk: -1 }),
    'spec.resources.disk: Invalid value: "": disk must be between 0 and 1Pi (a plain number counts MiB)',
  ],
  ['no mem', task({ command: 'x', resources: { cpus: 1 } }), 'spec.resources.mem: Required value'],
  [
    'mem not a quantity',
    res({ mem: 'lots' }),
    `spec.resources.mem: Invalid value: "lots": spec.resources.mem in body should match '^[+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,2}|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$'`,
  ],
  // The App framework held a whole offer for ever for an App without a command.
  [
    'App without command',
    app({ instances: 2 }),
    'spec: Invalid value: "object": set exactly one of command or args',
  ],
  [
    'App instances above 10000',
    app({ command: 'x', instances: 10001 }),
    'spec.instances: Invalid value: 10001: spec.instances in body should be less than or equal to 10000',
  ],
  ['App mem 0', app({ command: 'x', mem: 0 }), `spec.mem: Invalid value: "": ${MEM_RANGE}`],
  [
    'App unknown constraint operator',
    app({ command: 'x', constraints: [{ attribute: 'rack', operator: 'NEAR' }] }),
    'spec.constraints[0].operator: Unsupported value: "NEAR": supported values: "EQUALS", "LIKE", "UNLIKE", "UNIQUE", "CLUSTER", "GROUP_BY", "MAX_PER"',
  ],
  // A Schedule whose parents was a string broke every Schedule.
  [
    'Schedule parents a string',
    schedule({ parents: 'a' }),
    'spec.parents: Invalid value: "string": spec.parents in body must be of type array: "string"',
  ],
  // A Schedule repeating every millisecond pinned the CPU.
  [
    'Schedule every millisecond',
    schedule({ schedule: 'R/2026-01-01T00:00:00Z/PT0.001S' }),
    `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
  ],
  [
    'Schedule every 0.999 s',
    schedule({ schedule: 'R5/2026-01-01T00:00:00Z/PT0.999S' }),
    `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
  ],
  [
    'Schedule with a zero period',
    schedule({ schedule: 'R/2026-01-01T00:00:00Z/P0D' }),
    `spec.schedule: Invalid value: "string": the repeating interval's period must be at least 1s (PT1S)`,
  ],
  [
    'Schedule neither interval nor cron',
    schedule({ schedule: 'every day' }),
    'spec.schedule: Invalid value: "string": must be an ISO 8601 repeating interval R[n]/<start>/<period> (e.g. R/2026-03-15T11:44:03Z/PT24H) or a cron expression of 5 or 6 fields',
  ],
  [
    'Schedule epsilon not a duration',
    schedule({ schedule: '0 3 * * *', epsilon: '15m' }),
    'spec.epsilon: Invalid value: "15m": spec.epsilon in body should match \'^P([0-9]{1,9}Y)?([0-9]{1,9}M)?([0-9]{1,9}W)?([0-9]{1,9}D)?(T([0-9]{1,9}H)?([0-9]{1,9}M)?([0-9]{1,9}([.][0-9]{1,9})?S)?)?$\'',
  ],
  [
    'Schedule zero retry backoff',
    schedule({ schedule: '0 3 * * *', retryBackoff: 'PT0S' }),
    'spec.retryBackoff: Invalid value: "string": must be longer than zero',
  ],
  [
    'Schedule retries fractional',
    schedule({ schedule: '0 3 * * *', retries: 1.5 }),
    'spec.retries: Invalid value: "number": spec.retries in body must be of type integer: "number"',
  ],
  [
    'health check interval 0',
    task({
      command: 'x',
      resources: { cpus: 1, mem: 64 },
      healthCheck: { type: 'COMMAND', command: 'true', intervalSeconds: 0 },
    }),
    'spec.healthCheck.intervalSeconds: Invalid value: "number": must be at least 0.1 seconds',
  ],
  [
    'Role weight 0',
    { apiVersion: API, kind: 'Role', metadata: { name: 'r' }, spec: { weight: 0 } },
    'spec.weight: Invalid value: "number": weight must be at least 0.0001',
  ],
  [
    'unknown field',
    res({ cpu: 1 }),
    'spec.resources.cpu: strict decoding error: unknown field "spec.resources.cpu"',
  ],
  [
    'upper-case name',
    task({ command: 'x', resources: { cpus: 1, mem: 64 } }, 'Hello'),
    "metadata.name: Invalid value: \"Hello\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ],
  [
    'name of 254 characters',
    task({ command: 'x', resources: { cpus: 1, mem: 64 } }, 'a'.repeat(254)),
    `metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
  ],
  [
    'label value with a slash',
    { ...res({}), metadata: { name: 't1', labels: { app: 'a/b' } } },
    "metadata.labels: Invalid value: \"a/b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ],
  [
    'not an object',
    'hello',
    '<root>: Invalid value: "string": must be an object with apiVersion, kind, metadata and spec',
  ],
  [
    'unknown kind',
    { apiVersion: API, kind: 'Pod', metadata: { name: 'p' }, spec: {} },
    'kind: Unsupported value: "Pod": supported values: "Framework", "Task", "Role", "Agent", "App", "Schedule"',
  ],
];

for (const [name, obj, line] of rejected) {
  test(`rejected: ${name}`, () => {
    const got = messages(obj);
    assert.ok(got.includes(line), `expected\n  ${line}\namong\n  ${got.join('\n  ')}`);
  });
}

test('a blocking error (type, required, enum, too long) stops the CEL rules, as the apiserver does', () => {
  // A Schedule without a command AND with parents of the wrong type: only the type error and
  // the note, not the command rule.
  const noCommand = {
    apiVersion: API,
    kind: 'Schedule',
    metadata: { name: 's' },
    spec: { parents: 'a' },
  };
  assert.deepEqual(messages(noCommand), [
    'spec.parents: Invalid value: "string": spec.parents in body must be of type array: "string"',
    NOT_CHECKED,
  ]);
});

test('unknown fields are reported alone, as strict decoding answers before validating', () => {
  assert.deepEqual(messages({ ...res({ mem: 0 }), extra: 1 }), [
    'extra: strict decoding error: unknown field "extra"',
  ]);
});

test('valid objects of every kind are accepted, with the schema defaults filled in', () => {
  const objs = [
    {
      apiVersion: API,
      kind: 'Role',
      metadata: { name: 'eng' },
      spec: {
        weight: 2,
        quota: { guarantee: { cpus: 2, mem: '1Gi' }, limit: { cpus: 4, mem: '8Gi' } },
      },
    },
    {
      apiVersion: API,
      kind: 'Framework',
      metadata: { name: 'batch' },
      spec: { roles: ['eng', 'eng/backend'], scheduler: { kind: 'External' } },
    },
    task({
      command: 'echo hi',
      resources: { cpus: 0.01, mem: '1Mi', ports: 1 },
      healthCheck: { type: 'HTTP', portIndex: 0 },
      constraints: [{ attribute: 'rack', operator: 'LIKE', value: 'r[12]' }],
    }),
    { apiVersion: API, kind: 'Agent', metadata: { name: 'node-1' }, spec: { nodeName: 'node-1' } },
    app({
      command: 'python3 -m http.server $PORT0',
      instances: 3,
      cpus: 0.1,
      mem: '64Mi',
      portDefinitions: [{ port: 0 }],
      upgradeStrategy: { minimumHealthCapacity: 0.5 },
    }),
    schedule({ schedule: 'R/2026-03-15T02:00:00Z/P1D', epsilon: 'PT15M' }),
    schedule({ schedule: 'R10/2026-03-15T02:00/PT1S' }),
    schedule({ schedule: '*/5 * * * * *' }),
    schedule({ schedule: '@daily' }),
    schedule({ parents: ['extract'] }),
  ];
  for (const o of objs) assert.deepEqual(messages(o), [], JSON.stringify(o));
  const v = validateObject(schedule({ parents: ['a'] }));
  assert.ok(v.ok);
  // The schedules framework's own defaults, now in the CRD: 0.1 cpus, 32 MiB.
  assert.equal(v.object.spec['cpus'], 0.1);
  assert.equal(v.object.spec['mem'], 32);
  assert.equal(v.object.spec['epsilon'], 'PT1M');
  assert.equal(v.object.spec['retries'], 2);
});

test('status and system metadata are dropped from what a client applies', () => {
  const v = validateObject({
    ...res({}),
    metadata: {
      name: 't1',
      uid: 'u',
      deletionTimestamp: '2026-01-01T00:00:00Z',
      labels: { a: 'b' },
    },
    status: { state: 'TASK_RUNNING' },
  });
  assert.ok(v.ok);
  assert.deepEqual(v.object.metadata, { name: 't1', labels: { a: 'b' } });
  assert.equal(v.object.status, undefined);
});

const stored = (o: ReturnType<typeof task>): StoredObject => ({
  ...o,
  kind: 'Task',
  metadata: { ...o.metadata, namespace: 'default', uid: 'u1' },
});

test("a task's spec is immutable: the CRD's transition rule runs on updates", () => {
  const old = stored(task({ command: 'sleep 1', resources: { cpus: 1, mem: 64 } }));
  assert.deepEqual(messages(task({ command: 'sleep 2', resources: { cpus: 1, mem: 64 } }), old), [
    `spec: Invalid value: "object": a task's spec is immutable; delete and re-create it`,
  ]);
  assert.deepEqual(
    messages(task({ command: 'sleep 1', resources: { cpus: 1, mem: 64 } }), old),
    [],
  );
});

test('ratcheting: a field stored under older rules may stay while other fields change', () => {
  // Stored before cpus had a minimum; only labels change: accepted, as on the apiserver.
  const old = stored(task({ command: 'x', resources: { cpus: 0.001, mem: 64 } }));
  const next = {
    ...task({ command: 'x', resources: { cpus: 0.001, mem: 64 } }),
    metadata: { name: 't1', labels: { a: 'b' } },
  };
  assert.deepEqual(messages(next, old), []);
  // A changed invalid value is still rejected.
  assert.ok(messages(task({ command: 'x', resources: { cpus: 0.002, mem: 64 } })).length > 0);
});
