import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, simulate } from '../../../src/allocator/simulation.js';
import { ValidationError } from '../../../src/shared/errors.js';

test('scenario validation names the offending field, table-driven', () => {
  const agent = { name: 'a', resources: { cpus: 1 } };
  const cases: [unknown, string][] = [
    [[], 'a scenario is a map with agents, roles and frameworks'],
    [{ agents: [] }, 'agents: at least one agent is needed'],
    [{ agents: [{ resources: { cpus: 1 } }] }, 'agents[0].name: expected a non-empty string'],
    [
      { agents: [{ name: 'a', resources: 5 }] },
      'agents[0].resources: expected resources: a map like {cpus: 2, mem: 4Gi} or "cpus:2;mem:4096"',
    ],
    [
      { agents: [agent], roles: [{ name: 'a b' }] },
      "roles[0].name: invalid role \"a b\": use letters, digits, '_', '-', '.' and '/' between levels",
    ],
    [
      { agents: [agent], roles: [{ name: 'r', weight: 0 }] },
      'roles[0].weight: expected a positive number',
    ],
    [
      { agents: [agent], frameworks: [{ name: 'f', task: {} }] },
      'frameworks[0].task: a task needs some resources',
    ],
    [
      { agents: [agent], frameworks: [{ name: 'f', task: { cpus: 1 }, count: -1 }] },
      'frameworks[0].count: expected a number ≥ 0',
    ],
    [
      {
        agents: [agent],
        frameworks: [
          { name: 'f', task: { cpus: 1 } },
          { name: 'f', task: { cpus: 1 } },
        ],
      },
      'frameworks[1].name: duplicate framework "f"',
    ],
    [
      { agents: [agent], options: { fairness: 'fifo' } },
      'options.fairness: expected drf or random',
    ],
  ];
  for (const [doc, message] of cases) {
    assert.throws(
      () => parseScenario(doc),
      (err: unknown) => err instanceof ValidationError && err.message === message,
      message,
    );
  }
});

test('agents with count are replicated; constraints restrict placement', () => {
  const result = simulate(
    parseScenario({
      agents: [
        { name: 'r1', count: 2, resources: 'cpus:2;mem:2048', attributes: { rack: 'r1' } },
        { name: 'r2', resources: { cpus: 2, mem: '2Gi' }, attributes: { rack: 'r2' } },
      ],
      frameworks: [
        {
          name: 'f',
          role: 'x',
          task: { cpus: 1, mem: 512 },
          count: 10,
          constraints: { rack: 'r2' },
        },
      ],
    }),
  );
  // Only r2 matches: 2 cpus → 2 tasks.
  assert.equal(result.frameworks.f?.tasks, 2);
  assert.deepEqual(result.cluster.total, { cpus: 6, mem: 6144 });
});

test('weights: a weight-2 role ends with twice the dominant share', () => {
  const result = simulate(
    parseScenario({
      agents: [{ name: 'a', count: 12, resources: { cpus: 1, mem: 1024 } }],
      roles: [{ name: 'gold', weight: 2 }],
      frameworks: [
        { name: 'g', role: 'gold', task: { cpus: 1, mem: 1024 }, count: 100 },
        { name: 's', role: 'silver', task: { cpus: 1, mem: 1024 }, count: 100 },
      ],
    }),
  );
  // 12 cpus split 2:1 → gold 8 (8/12), silver 4 (4/12)
  assert.equal(result.frameworks.g?.tasks, 8);
  assert.equal(result.frameworks.s?.tasks, 4);
  assert.equal(result.roles.gold?.dominantShare, 0.6667);
});
