// Mesos shapes onto Mezzo's: command tasks (argv, environment, URIs, health checks, kill
// policy), resources (scalars, ranges, sets, both reservation formats), statuses back,
// and every Mesos feature Mezzo lacks refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taskFromMesos, statusToMesos } from '../../../src/compat/mesos/tasks.js';
import { resourceFromMesos, resourcesToMesos } from '../../../src/compat/mesos/resources.js';
import { frameworkInfoFromMesos } from '../../../src/compat/mesos/frameworks.js';
import { Refused, refusedOr } from '../../../src/compat/mesos/refused.js';
import type { MesosTaskInfo } from '../../../src/compat/mesos/types.js';

const base: MesosTaskInfo = {
  name: 't',
  task_id: { value: 't1' },
  agent_id: { value: 'a1' },
  command: { value: 'echo hi' },
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
};

test('a command task maps field by field', () => {
  const t = taskFromMesos({
    ...base,
    command: {
      shell: false,
      value: '/bin/echo',
      arguments: ['echo', 'a', 'b'],
      environment: { variables: [{ name: 'A', value: '1' }, { name: 'B' }] },
      uris: [{ value: 'http://x/y.tgz' }],
      user: 'alice',
    },
    kill_policy: { grace_period: { nanoseconds: 2_500_000_000 } },
    labels: { labels: [{ key: 'k', value: 'v' }, { key: 'bare' }] },
    health_check: {
      type: 'HTTP',
      http: { port: 8080, path: '/ok' },
      delay_seconds: 1,
      grace_period_seconds: 30,
    },
  });
  const cmd = t.command;
  const hc = t.health_check;
  assert.ok(cmd && hc);
  // Mesos' arguments include argv[0]; Mezzo's are what follows the program.
  assert.deepEqual(cmd.arguments, ['a', 'b']);
  assert.equal(cmd.shell, false);
  assert.deepEqual(cmd.environment, { A: '1', B: '' });
  // Mesos' URI default is extract = true.
  assert.equal(cmd.uris[0]?.extract, true);
  assert.equal(cmd.user, 'alice');
  assert.equal(t.kill_grace_period_seconds, 2.5);
  assert.deepEqual(t.labels, { k: 'v', bare: '' });
  assert.equal(hc.type, 'HTTP');
  assert.equal(hc.port, 8080);
  // max(grace 30, delay 1); Mesos' defaults for the rest (interval 10, timeout 20, 3 failures).
  assert.equal(hc.grace_period_seconds, 30);
  assert.equal(hc.interval_seconds, 10);
  assert.equal(hc.consecutive_failures, 3);
  assert.equal(hc.kill_when_unhealthy, true);
  // shell defaults to true, as in Mesos.
  assert.equal(taskFromMesos(base).command?.shell, true);
});

test('what Mezzo cannot run is refused by name', () => {
  const cases: { what: string; task: MesosTaskInfo; says: RegExp }[] = [
    { what: 'executor', task: { ...base, executor: {} }, says: /executor/ },
    { what: 'container', task: { ...base, container: {} }, says: /container/ },
    { what: 'check', task: { ...base, check: {} }, says: /check/ },
    { what: 'discovery', task: { ...base, discovery: {} }, says: /discovery/ },
    { what: 'data', task: { ...base, data: 'aGk=' }, says: /data/ },
    { what: 'limits', task: { ...base, limits: { cpus: { value: 1 } } }, says: /limits/ },
    { what: 'no command', task: { ...base, command: undefined }, says: /command is missing/ },
    {
      what: 'secret env',
      task: {
        ...base,
        command: { value: 'x', environment: { variables: [{ name: 'S', type: 'SECRET' }] } },
      },
      says: /secret/,
    },
    {
      what: 'https check',
      task: { ...base, health_check: { type: 'HTTP', http: { port: 1, scheme: 'https' } } },
      says: /https/,
    },
    { what: 'untyped check', task: { ...base, health_check: {} }, says: /needs a type/ },
    {
      what: 'volume',
      task: {
        ...base,
        resources: [{ name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: {} }],
      },
      says: /persistent volumes/,
    },
    {
      what: 'revocable',
      task: {
        ...base,
        resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, revocable: {} }],
      },
      says: /revocable/,
    },
    {
      what: 'TEXT resource',
      task: { ...base, resources: [{ name: 'x', type: 'TEXT' }] },
      says: /TEXT/,
    },
  ];
  for (const c of cases) {
    const got = refusedOr(() => taskFromMesos(c.task));
    assert.ok(got instanceof Refused, c.what);
    assert.match(got.message, c.says, c.what);
  }
  const fw = refusedOr(() => frameworkInfoFromMesos({ user: 'u', name: 'n' }, {}));
  assert.ok(fw instanceof Refused && /offer_constraints/.test(fw.message));
});

test('resources keep ranges, sets and reservations in either Mesos format', () => {
  assert.deepEqual(
    resourceFromMesos({
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 31000, end: 31010 }] },
    }).ranges,
    [{ begin: 31000, end: 31010 }],
  );
  // The format before reservation refinement: a role alone is a static reservation.
  assert.deepEqual(
    resourceFromMesos({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'web' })
      .reservations,
    [{ type: 'STATIC', role: 'web', principal: '', labels: {} }],
  );
  assert.deepEqual(
    resourceFromMesos({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 1 },
      role: 'web',
      reservation: { principal: 'p' },
    }).reservations,
    [{ type: 'DYNAMIC', role: 'web', principal: 'p', labels: {} }],
  );
  assert.deepEqual(
    resourceFromMesos({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 1 },
      reservations: [
        { type: 'DYNAMIC', role: 'a' },
        { type: 'DYNAMIC', role: 'a/b' },
      ],
    }).reservations.map((r) => r.role),
    ['a', 'a/b'],
  );
  const back = resourcesToMesos(
    [{ name: 'cpus', type: 'SCALAR', scalar: 2, reservations: [{ type: 'STATIC', role: 'web' }] }],
    'web',
  );
  assert.deepEqual(back, [
    {
      name: 'cpus',
      type: 'SCALAR',
      role: 'web',
      allocation_info: { role: 'web' },
      scalar: { value: 2 },
      reservations: [{ type: 'STATIC', role: 'web' }],
    },
  ]);
});

test('statuses come back in Mesos names', () => {
  const cases: { reason: string; want: string | undefined }[] = [
    { reason: 'REASON_COMMAND_EXITED_NONZERO', want: 'REASON_COMMAND_EXECUTOR_FAILED' },
    { reason: 'REASON_RECONCILIATION', want: 'REASON_RECONCILIATION' },
    { reason: 'REASON_UNSPECIFIED', want: undefined },
  ];
  for (const c of cases) {
    const s = statusToMesos({
      task_id: 't',
      state: 'TASK_FAILED',
      reason: c.reason as 'REASON_RECONCILIATION',
      uuid: Buffer.from([1, 2]),
    });
    assert.equal(s.reason, c.want, c.reason);
    assert.equal(s.uuid, 'AQI=');
  }
});
