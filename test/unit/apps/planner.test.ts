// Planning one app from what runs: launches, kills (scale-down, upgrade, delete), the
// restart backoff and when it resets, and convergence. Time is injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffShouldReset,
  KILL_RETRY_AFTER_MS,
  nextLaunchAt,
  pickForScaleDown,
  planApp,
  RESET_BACKOFF_AFTER_MS,
  type AppPlanInput,
} from '../../../src/frameworks/apps/planner.js';
import type { Instance } from '../../../src/frameworks/apps/instances.js';

const NOW = 1_000_000;

/** An instance: `run` is running+healthy, `sick` running+unhealthy, `new` staging. */
function inst(
  id: string,
  kind: 'run' | 'sick' | 'new' | 'dying',
  version = 'v1',
  launchedAt = 0,
): Instance {
  return {
    taskId: id,
    app: 'team/web',
    version,
    agentId: 'a1',
    agent: { hostname: 'a1', attributes: {} },
    state: kind === 'new' ? 'TASK_STAGING' : 'TASK_RUNNING',
    healthy: kind === 'run' || kind === 'dying',
    launchedAt,
    runningSince: kind === 'new' ? undefined : launchedAt,
    killRequested: kind === 'dying',
    killRequestedAt: kind === 'dying' ? NOW - 1_000 : undefined,
    unreachableSince: undefined,
  };
}

function input(over: Partial<AppPlanInput>): AppPlanInput {
  return {
    instances: 3,
    version: 'v1',
    strategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    hasHealthChecks: true,
    deleting: false,
    killGraceSeconds: 3,
    live: [],
    backoff: { failures: 0, lastFailureAt: undefined },
    policy: { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 60 },
    now: NOW,
    ...over,
  };
}

// [what, input, launch, kill]
const cases: [string, Partial<AppPlanInput>, number, string[]][] = [
  ['a new app launches every instance', {}, 3, []],
  [
    'a running app at its count does nothing',
    { live: [inst('a', 'run'), inst('b', 'run'), inst('c', 'run')] },
    0,
    [],
  ],
  [
    'staged instances count: no double launch',
    { live: [inst('a', 'run'), inst('b', 'new')] },
    1,
    [],
  ],
  // A plain scale-down 4 → 2: the staged one, then the unhealthy one go first.
  [
    'scale-down kills useless instances first',
    {
      instances: 2,
      live: [
        inst('a', 'run', 'v1', 1),
        inst('b', 'sick', 'v1', 2),
        inst('c', 'new', 'v1', 3),
        inst('d', 'run', 'v1', 4),
      ],
    },
    0,
    ['c', 'b'],
  ],
  // Youngest first among equals: d (launched at 4) before a (1).
  [
    'scale-down kills the youngest healthy',
    { instances: 1, live: [inst('a', 'run', 'v1', 1), inst('d', 'run', 'v1', 4)] },
    0,
    ['d'],
  ],
  [
    'an instance being killed is neither counted nor killed again',
    { live: [inst('a', 'run'), inst('b', 'run'), inst('x', 'dying')] },
    1,
    [],
  ],
  [
    'deleting kills everything not already dying',
    { deleting: true, live: [inst('a', 'run'), inst('b', 'new'), inst('x', 'dying')] },
    0,
    ['a', 'b'],
  ],
  // minimumHealthCapacity 0.5 of 4 = 2 stay healthy; over 0: at most 4 run, so 2 old go
  // and 2 new start.
  [
    'upgrade under 0.5 / 0 replaces half at a time',
    {
      instances: 4,
      version: 'v2',
      strategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
      live: [inst('o1', 'run'), inst('o2', 'run'), inst('o3', 'run'), inst('o4', 'run')],
    },
    2,
    ['o1', 'o2'],
  ],
  // Same, once the two new ones are healthy: 2 old + 2 new healthy = 4, the floor 2
  // lets both remaining old ones go, and the last 2 new start.
  [
    'upgrade advances when the new instances are healthy',
    {
      instances: 4,
      version: 'v2',
      strategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
      live: [
        inst('o3', 'run'),
        inst('o4', 'run'),
        inst('n1', 'run', 'v2'),
        inst('n2', 'run', 'v2'),
      ],
    },
    2,
    ['o3', 'o4'],
  ],
  // New instances not healthy yet: 2 old healthy = the floor, nothing more may go.
  [
    'upgrade holds at the floor while new instances are unhealthy',
    {
      instances: 4,
      version: 'v2',
      strategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
      live: [
        inst('o3', 'run'),
        inst('o4', 'run'),
        inst('n1', 'sick', 'v2'),
        inst('n2', 'sick', 'v2'),
      ],
    },
    0,
    [],
  ],
];

for (const [what, over, launch, kill] of cases) {
  test(what, () => {
    const plan = planApp(input(over));
    assert.equal(plan.launch, launch, 'launch');
    assert.deepEqual(plan.kill, kill, 'kill');
  });
}

test('converged only with every instance current, healthy and counted', () => {
  const live = [inst('a', 'run'), inst('b', 'run'), inst('c', 'run')];
  assert.equal(planApp(input({ live })).converged, true);
  assert.equal(planApp(input({ live: [...live.slice(0, 2), inst('c', 'sick')] })).converged, false);
  assert.equal(planApp(input({ live, version: 'v2' })).converged, false);
  assert.equal(planApp(input({ live, version: 'v2' })).oldLive, 3);
});

// Backoff 1 s × 2^(failures-1), capped at 60 s, counted from the last failure.
const delays: [number, number | undefined, number][] = [
  [0, undefined, NOW], // no failure: now
  [1, NOW - 500, NOW + 500], // 1 s after a failure 0.5 s ago
  [3, NOW, NOW + 4_000], // 1 × 2^2 = 4 s
  [10, NOW, NOW + 60_000], // 512 s capped to 60 s
  [2, NOW - 10_000, NOW], // 2 s after a failure 10 s ago: already past
];
for (const [failures, lastFailureAt, want] of delays) {
  test(`next launch after ${failures} failures (last at ${String(lastFailureAt)})`, () => {
    const policy = { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 60 };
    assert.equal(nextLaunchAt({ failures, lastFailureAt }, policy, NOW), want);
    const plan = planApp(input({ backoff: { failures, lastFailureAt }, policy }));
    assert.equal(plan.notBefore, want);
  });
}

test('the backoff resets on a healthy current instance, or a long run without checks', () => {
  const healthy = inst('a', 'run');
  const sick = inst('b', 'sick');
  assert.equal(backoffShouldReset([healthy], 'v1', true, NOW), true);
  assert.equal(backoffShouldReset([sick], 'v1', true, NOW), false);
  assert.equal(
    backoffShouldReset([healthy], 'v2', true, NOW),
    false,
    'an old version proves nothing',
  );
  const started = { ...sick, runningSince: NOW - RESET_BACKOFF_AFTER_MS };
  assert.equal(backoffShouldReset([started], 'v1', false, NOW), true);
  assert.equal(
    backoffShouldReset([{ ...started, runningSince: NOW - 1 }], 'v1', false, NOW),
    false,
  );
});

test('a kill not taken effect after grace + KILL_RETRY_AFTER_MS is asked again', () => {
  const dying = inst('x', 'dying');
  // grace 3 s + 15 s = 18 s: asked 1 s ago no, 18.001 s ago yes.
  assert.deepEqual(planApp(input({ live: [dying] })).kill, []);
  const stuck = { ...dying, killRequestedAt: NOW - 3_000 - KILL_RETRY_AFTER_MS - 1 };
  assert.deepEqual(planApp(input({ instances: 0, live: [stuck] })).kill, ['x']);
  assert.deepEqual(planApp(input({ deleting: true, live: [stuck] })).kill, ['x']);
});

test('pickForScaleDown never picks more than the surplus', () => {
  const live = [inst('a', 'run', 'v1', 1), inst('b', 'run', 'v1', 2)];
  assert.deepEqual(pickForScaleDown(live, 0, true), []);
  assert.deepEqual(pickForScaleDown(live, 5, true), ['b', 'a']);
});

/** An instance whose agent has been out of touch since `since`. */
function away(id: string, since: number): Instance {
  return {
    ...inst(id, 'run'),
    state: 'TASK_UNREACHABLE',
    healthy: undefined,
    unreachableSince: since,
  };
}

// Marathon's unreachableStrategy, here inactive after 60 s and expunged after 120 s:
// [what, how long the third instance has been away, launch, kill]
const outages: [string, number, number, string[]][] = [
  ['away 59 s: it holds its place, nothing launches', 59_000, 0, []],
  ['away 60 s: inactive, a replacement launches', 60_000, 1, []],
  ['away 120 s: expunged, killed as well', 120_000, 1, ['c']],
];
for (const [what, gone, launch, kill] of outages) {
  test(what, () => {
    const p = planApp(
      input({
        live: [inst('a', 'run'), inst('b', 'run'), away('c', NOW - gone)],
        unreachable: { inactiveAfterMs: 60_000, expungeAfterMs: 120_000 },
      }),
    );
    assert.equal(p.launch, launch);
    assert.deepEqual(p.kill, kill);
    // 2 running and healthy, 1 unreachable: never "3 of 3".
    assert.deepEqual(p.counts, { running: 2, healthy: 2, staged: 0, unreachable: 1 });
    assert.equal(p.converged, false);
  });
}

test('an instance back from an outage after its replacement makes a surplus to scale down', () => {
  // a, b, c running again; d replaced c meanwhile: 4 for 3, the youngest goes.
  const p = planApp(
    input({
      live: [
        inst('a', 'run', 'v1', 1),
        inst('b', 'run', 'v1', 2),
        inst('c', 'run', 'v1', 3),
        inst('d', 'run', 'v1', 9),
      ],
    }),
  );
  assert.equal(p.launch, 0);
  assert.deepEqual(p.kill, ['d']);
});
