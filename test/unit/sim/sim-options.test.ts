import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/shared/errors.js';
import { planSimulation, type SimAgentsOptions } from '../../../src/sim/index.js';
import { agentIdentity } from '../../../src/sim/sim-options.js';
import { zoneName } from '../../../src/sim/zones.js';

const base: SimAgentsOptions = { controller: '127.0.0.1:5051', count: 10 };

test('bad options are refused, naming the option, before anything connects', () => {
  const cases: [Partial<SimAgentsOptions>, string][] = [
    [{ controller: [] }, 'controller'],
    [{ controller: 'no-port' }, 'controller'],
    [{ count: 0 }, 'count'],
    [{ count: 1.5 }, 'count'],
    [{ count: 10_000_000 }, 'count'],
    [{ cpus: 0 }, 'cpus'],
    [{ cpus: Number.NaN }, 'cpus'],
    [{ memMiB: -1 }, 'mem'],
    [{ ports: { begin: 2000, end: 1000 } }, 'ports'],
    [{ ports: { begin: 0, end: 10 } }, 'ports'],
    [{ prefix: 'Bad_Prefix' }, 'prefix'],
    [{ zones: -1 }, 'zones'],
    [{ attributes: { zone: 'x' } }, 'attributes'],
    [{ defaultDurationSeconds: -1 }, 'default-duration'],
    [{ agentsPerChannel: 0 }, 'agents-per-channel'],
    [{ updateRetryMinSeconds: 5, updateRetryMaxSeconds: 1 }, 'update-retry-max'],
  ];
  for (const [bad, path] of cases) {
    assert.throws(
      () => planSimulation({ ...base, ...bad }),
      (err: unknown) => err instanceof ValidationError && err.path === path,
      JSON.stringify(bad),
    );
  }
});

test('defaults, hostnames and zones dealt round-robin', () => {
  const plan = planSimulation({ ...base, prefix: 'n', zones: 2, attributes: { rack: 'r' } });
  assert.deepEqual(
    plan.resources.map((r) => r.name),
    ['cpus', 'mem', 'disk', 'ports'],
  );
  assert.equal(plan.defaultDuration, 0);
  const ids = [0, 1, 2].map((i) => agentIdentity(plan, i));
  assert.deepEqual(
    ids.map((x) => [x.hostname, x.attributes.map((a) => `${a.name ?? ''}=${a.text ?? ''}`)]),
    [
      ['n-1', ['zone=a', 'rack=r']],
      ['n-2', ['zone=b', 'rack=r']],
      ['n-3', ['zone=a', 'rack=r']],
    ],
  );
  assert.deepEqual(agentIdentity(planSimulation({ ...base, zones: 0 }), 0).attributes, []);
  assert.deepEqual([zoneName(0), zoneName(25), zoneName(26)], ['a', 'z', 'zone-27']);
  assert.equal(
    planSimulation({ ...base, defaultDurationSeconds: 'forever' }).defaultDuration,
    'forever',
  );
});
