// The App spec as the framework reads it: versions (what rolls and what only scales),
// task IDs that carry app and version, offer needs and the TaskInfo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_LABEL,
  APP_VERSION_LABEL,
  instanceNeeds,
  instanceTask,
  newTaskId,
  parseTaskId,
  readAppSpec,
  specVersion,
  unreachableStrategy,
  type AppSpec,
} from '../../../src/frameworks/apps/app-spec.js';

const base: AppSpec = { command: 'serve --port $PORT0', instances: 2, cpus: 0.5, mem: '64Mi' };

// [what, changed spec, same version?]
const versions: [string, AppSpec, boolean][] = [
  ['instances only: a scale, same version', { ...base, instances: 7 }, true],
  [
    'key order does not matter',
    { mem: '64Mi', cpus: 0.5, instances: 2, command: base.command },
    true,
  ],
  ['a command change is a new version', { ...base, command: 'serve2' }, false],
  ['an env change is a new version', { ...base, env: { A: '1' } }, false],
  [
    'a health check change is a new version',
    { ...base, healthChecks: [{ type: 'TCP', portIndex: 0 }] },
    false,
  ],
];
for (const [what, spec, same] of versions) {
  test(what, () => {
    assert.equal(specVersion(spec) === specVersion(base), same);
    assert.match(specVersion(spec), /^[0-9a-f]{10}$/);
  });
}

// [task id, parsed]
const ids: [string, ReturnType<typeof parseTaskId>][] = [
  ['team.web.0123456789.abcd1234', { namespace: 'team', name: 'web', version: '0123456789' }],
  [
    'team.my.dotted.app.0123456789.abcd1234',
    { namespace: 'team', name: 'my.dotted.app', version: '0123456789' },
  ],
  ['team.web.1234.abcd', undefined], // not a version
  ['team.web.abcd1234', undefined], // too few parts
  ['sleep-1', undefined], // another framework's shape
];
for (const [id, want] of ids) {
  test(`parseTaskId(${id})`, () => {
    assert.deepEqual(parseTaskId(id), want);
  });
}

test('a new task ID parses back to its app and version, and is a valid object name', () => {
  const v = specVersion(base);
  const id = newTaskId({ namespace: 'team', name: 'web' }, v);
  assert.deepEqual(parseTaskId(id), { namespace: 'team', name: 'web', version: v });
  assert.match(id, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
});

test('needs: ports from port definitions (0 = any), constraints from attribute/operator', () => {
  const needs = instanceNeeds({
    ...base,
    portDefinitions: [{ port: 0 }, { port: 8080 }],
    constraints: [{ attribute: 'rack', operator: 'MAX_PER', value: '2' }],
  });
  assert.deepEqual(needs.ports, [0, 8080]);
  assert.deepEqual(needs.constraints, [{ field: 'rack', operator: 'MAX_PER', value: '2' }]);
  assert.equal(needs.cpus, 0.5);
});

test('the TaskInfo: labels, ports in the environment, the first health check, killed when unhealthy', () => {
  const spec: AppSpec = {
    ...base,
    labels: { team: 'x' },
    healthChecks: [
      { type: 'HTTP', portIndex: 0, path: '/health', intervalSeconds: 1 },
      { type: 'TCP', portIndex: 0 },
    ],
  };
  const info = instanceTask(
    { namespace: 'team', name: 'web' },
    spec,
    'team.web.0123456789.abcd1234',
    'agent-1',
    {
      ok: true,
      resources: [],
      ports: [31005],
    },
  );
  const labels = info.labels ?? {};
  assert.equal(labels[APP_LABEL], 'team/web');
  assert.equal(labels[APP_VERSION_LABEL], specVersion(spec));
  assert.equal(labels.team, 'x');
  assert.equal(info.command?.environment?.PORT0, '31005');
  const hc = info.health_check;
  assert.ok(hc, 'a health check on the wire');
  assert.equal(hc.type, 'HTTP');
  assert.equal(hc.port, 31005);
  assert.equal(hc.kill_when_unhealthy, true);
});

const good = { command: 'serve', cpus: 0.5, mem: '64Mi' };
// [spec as stored (hostile), the problem's text; undefined: it reads]
const reads: [unknown, RegExp | undefined][] = [
  [good, undefined],
  [{ ...good, instances: 0 }, undefined], // scaled to zero is fine
  [
    { args: ['/bin/serve'], portDefinitions: [{ port: 0 }, { port: 8080, protocol: 'udp' }] },
    undefined,
  ],
  [{ instances: 1 }, /set exactly one of command/],
  [{ ...good, command: '' }, /spec\.command: is empty/],
  [{ ...good, instances: -1 }, /spec\.instances: must be at least 0/],
  [{ ...good, instances: 2.5 }, /spec\.instances: must be a whole number/],
  [{ ...good, instances: '3' }, /spec\.instances: must be a number, not "3"/],
  [{ ...good, cpus: 0 }, /spec\.cpus: must be greater than 0/],
  [{ ...good, mem: -5 }, /spec\.mem/],
  [
    { ...good, portDefinitions: [{ port: 70000 }] },
    /spec\.portDefinitions\[0\]\.port: must be at most 65535/,
  ],
  [{ ...good, portDefinitions: [{ protocol: 'sctp' }] }, /protocol: must be tcp or udp/],
  [
    { ...good, healthChecks: [{ type: 'TCP', portIndex: 1 }], portDefinitions: [{}] },
    /healthChecks\[0\]\.portIndex/,
  ],
  [{ ...good, healthChecks: [{ type: 'COMMAND' }] }, /healthChecks\[0\]\.command: is required/],
  [
    { ...good, upgradeStrategy: { minimumHealthCapacity: 2 } },
    /minimumHealthCapacity: must be at most 1/,
  ],
  [{ ...good, upgradeStrategy: 'fast' }, /spec\.upgradeStrategy: must be an object/],
  [{ ...good, backoffFactor: 0.5 }, /spec\.backoffFactor: must be at least 1/],
  [
    { ...good, unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 30 } },
    /expungeAfterSeconds: must not be below/,
  ],
  [{ ...good, env: { PATH: null } }, /spec\.env\.PATH: must be a string, not null/],
  [
    { ...good, constraints: [{ attribute: 'hostname', operator: 'UNIQUE', value: 7 }] },
    /value: must be a string/,
  ],
  [null, /^spec: must be an object, not null/],
];
for (const [spec, problem] of reads) {
  test(`App spec ${JSON.stringify(spec)} ${problem ? 'is refused' : 'reads'}`, () => {
    const r = readAppSpec(spec);
    if (problem === undefined) {
      assert.ok(r.ok, r.ok ? '' : r.problem.message);
      return;
    }
    assert.ok(!r.ok);
    assert.match(r.problem.message, problem);
  });
}

test('a read spec keeps the version of the stored one (no rolling restart on upgrade)', () => {
  const stored = { ...base, env: { A: '1' }, portDefinitions: [{ port: 0 }] };
  const r = readAppSpec(stored);
  assert.ok(r.ok);
  assert.equal(specVersion(r.value), specVersion(stored));
});

test('unreachable strategy: Marathon defaults, and expunge never before inactive', () => {
  assert.deepEqual(unreachableStrategy({}), { inactiveAfterMs: 300_000, expungeAfterMs: 600_000 });
  assert.deepEqual(unreachableStrategy({ unreachableStrategy: { inactiveAfterSeconds: 900 } }), {
    inactiveAfterMs: 900_000,
    expungeAfterMs: 900_000,
  });
});
