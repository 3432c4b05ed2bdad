// Rolling upgrades simulated step by step: launched instances become healthy between
// steps, and the health floor is checked after every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchDelaySeconds,
  planStep,
  type InstanceView,
  type UpgradeStrategy,
} from '../../../src/frameworks/apps/deployment.js';

interface Sim {
  old: InstanceView[];
  current: InstanceView[];
  staging: number;
}

function simulate(n: number, oldCount: number, strategy: UpgradeStrategy) {
  const sim: Sim = {
    old: Array.from({ length: oldCount }, (_, i) => ({ id: `old-${i}`, healthy: true })),
    current: [],
    staging: 0,
  };
  let seq = 0;
  const trace: { healthy: number; total: number }[] = [];
  for (let step = 0; step < 50; step++) {
    const plan = planStep(strategy, { instances: n, ...sim });
    if (plan.done) return { steps: step, trace, plan };
    sim.old = sim.old.filter((i) => !plan.kill.includes(i.id));
    sim.current = sim.current.filter((i) => !plan.kill.includes(i.id));
    sim.staging += plan.launch;
    const healthy =
      sim.old.filter((i) => i.healthy).length + sim.current.filter((i) => i.healthy).length;
    trace.push({ healthy, total: sim.old.length + sim.current.length + sim.staging });
    // Between steps, staged instances start and pass their health checks.
    for (let k = 0; k < sim.staging; k++) sim.current.push({ id: `new-${seq++}`, healthy: true });
    sim.staging = 0;
  }
  throw new Error('upgrade did not converge');
}

// [instances, minimumHealthCapacity, maximumOverCapacity, floor = ceil(n·m), ceiling = n + floor(n·o)]
const strategies: [number, number, number, number, number][] = [
  [4, 0.5, 0, 2, 4], // ceil(4·0.5) = 2 healthy at least, 4 + 0 at most
  [4, 1, 0.5, 4, 6], // all healthy, up to 4 + floor(2) = 6
  [5, 0.5, 0.2, 3, 6], // ceil(2.5) = 3, 5 + floor(1) = 6
  [3, 1, 0, 3, 4], // the deadlock case: one extra instance is allowed
  [4, 0, 0, 0, 4], // anything goes: all old killed at once
];

for (const [n, m, o, floor, ceiling] of strategies) {
  test(`upgrade of ${n} with minimumHealthCapacity ${m}, maximumOverCapacity ${o}`, () => {
    const { trace, plan } = simulate(n, n, { minimumHealthCapacity: m, maximumOverCapacity: o });
    assert.equal(plan.minHealthy, floor);
    for (const [i, t] of trace.entries()) {
      assert.ok(t.healthy >= floor, `step ${i}: ${t.healthy} healthy < ${floor}`);
      assert.ok(t.total <= ceiling, `step ${i}: ${t.total} instances > ${ceiling}`);
    }
  });
}

test('scaling the new spec: up launches the difference, down kills unhealthy first', () => {
  const s = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
  const up = planStep(s, {
    instances: 5,
    old: [],
    current: [{ id: 'a', healthy: true }],
    staging: 0,
  });
  assert.equal(up.launch, 4);
  const down = planStep(s, {
    instances: 2,
    old: [],
    current: [
      { id: 'a', healthy: true },
      { id: 'b', healthy: false },
      { id: 'c', healthy: true },
      { id: 'd', healthy: true },
      { id: 'e', healthy: true },
    ],
    staging: 0,
  });
  assert.equal(down.launch, 0);
  assert.equal(down.kill.length, 3);
  assert.equal(down.kill[0], 'b');
});

test('unhealthy old instances are replaced first and do not count toward health', () => {
  const step = planStep(
    { minimumHealthCapacity: 1, maximumOverCapacity: 0 },
    {
      instances: 2,
      old: [
        { id: 'o1', healthy: false },
        { id: 'o2', healthy: true },
      ],
      current: [],
      staging: 0,
    },
  );
  assert.deepEqual(step.kill, ['o1']);
  // ceiling 2 + 1 (the deadlock allowance) = 3; o2 stays: launch min(2 - 0, 3 - 1) = 2
  assert.equal(step.launch, 2);
});

// Backoff 1 s × 2^(failures-1), capped at 60 s.
const delays: [number, number][] = [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 4],
  [7, 60], // 64 capped to 60
];
for (const [failures, want] of delays) {
  test(`launch delay after ${failures} failures is ${want} s`, () => {
    assert.equal(launchDelaySeconds(failures, 1, 2, 60), want);
  });
}
