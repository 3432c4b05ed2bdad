// The App status: deployments start on a version change and end on convergence,
// conditions say available / progressing / placed, and nothing churns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appStatus,
  nextDeployment,
  type StatusInput,
} from '../../../src/frameworks/apps/status.js';
import type { AppPlan } from '../../../src/frameworks/apps/planner.js';
import { appKind } from '../../../src/api/v1alpha1/app.js';
import type { Schema } from '../../../src/api/v1alpha1/schema.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function plan(over: Partial<AppPlan> = {}): AppPlan {
  return {
    launch: 0,
    notBefore: NOW,
    kill: [],
    counts: { running: 3, healthy: 3, staged: 0, unreachable: 0 },
    oldLive: 0,
    converged: true,
    minHealthy: 3,
    ...over,
  };
}

function input(over: Partial<StatusInput> = {}): StatusInput {
  return {
    prev: undefined,
    plan: plan(),
    desired: 3,
    version: 'v1',
    generation: 1,
    unplaced: undefined,
    lastTaskFailure: undefined,
    delayedUntil: undefined,
    failures: 0,
    now: NOW,
    ...over,
  };
}

test('a converged app: stable, available, placed, version recorded', () => {
  const s = appStatus(input());
  assert.equal(s.version, 'v1');
  assert.equal(s.deployment, undefined);
  assert.deepEqual(
    s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`),
    ['Available=True/AllHealthy', 'Progressing=False/Stable', 'Placed=True/Placed'],
  );
  // Same inputs again, later: identical status (no churn in transition times).
  assert.deepEqual(appStatus(input({ prev: s, now: NOW + 60_000 })), s);
});

test('a spec change starts a deployment that lasts until convergence', () => {
  const stable = appStatus(input());
  const rolling = plan({
    converged: false,
    oldLive: 2,
    minHealthy: 2,
    counts: { running: 3, healthy: 2, staged: 1, unreachable: 0 },
  });
  const d = nextDeployment(stable, rolling, 'v2', 2, NOW);
  assert.deepEqual(d, {
    id: 'gen2-v2',
    from: 1,
    to: 2,
    fromVersion: 'v1',
    toVersion: 'v2',
    startedAt: new Date(NOW).toISOString(),
  });
  const during = appStatus(input({ prev: stable, plan: rolling, version: 'v2', generation: 2 }));
  assert.equal(during.version, 'v1', 'the stable version stays until the rollout ends');
  assert.equal(during.conditions.find((c) => c.type === 'Progressing')?.reason, 'Deploying');
  // The same deployment carries on over passes.
  assert.deepEqual(nextDeployment(during, rolling, 'v2', 2, NOW + 5_000), d);
  const done = appStatus(input({ prev: during, version: 'v2', generation: 2 }));
  assert.equal(done.deployment, undefined);
  assert.equal(done.version, 'v2');
});

test('scaling a new app is not a deployment', () => {
  const scaling = plan({
    converged: false,
    counts: { running: 1, healthy: 1, staged: 2, unreachable: 0 },
  });
  assert.equal(nextDeployment(undefined, scaling, 'v1', 1, NOW), undefined);
  const s = appStatus(input({ plan: scaling }));
  assert.equal(s.conditions.find((c) => c.type === 'Progressing')?.reason, 'Scaling');
  assert.equal(s.staged, 2);
});

test('unplaced instances: count, reason and a False Placed condition', () => {
  const s = appStatus(
    input({
      plan: plan({ converged: false }),
      unplaced: { count: 1, reason: 'a1: hostname:UNIQUE' },
    }),
  );
  assert.equal(s.unplaced, 1);
  assert.equal(s.unplacedReason, 'a1: hostname:UNIQUE');
  const placed = s.conditions.find((c) => c.type === 'Placed');
  assert.ok(placed, 'a Placed condition');
  assert.equal(placed.status, 'False');
  assert.equal(placed.reason, 'Unplaceable');
});

test('backoff: launches delayed until a time, reported', () => {
  const s = appStatus(
    input({ plan: plan({ converged: false }), delayedUntil: NOW + 4_000, failures: 3 }),
  );
  assert.equal(s.launchDelayedUntil, new Date(NOW + 4_000).toISOString());
  assert.equal(s.conditions.find((c) => c.type === 'Progressing')?.reason, 'BackingOff');
});

// Kubernetes prunes status fields its structural schema lacks; a pruned field would make
// every pass see a difference and write again. Every path the framework writes must be
// in the App CRD's status schema.
function unknownPaths(value: unknown, schema: Schema | undefined, path: string): string[] {
  if (!schema) return [path];
  if (Array.isArray(value))
    return value.flatMap((v, i) => unknownPaths(v, schema.items, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      unknownPaths(v, schema.properties?.[k], `${path}.${k}`),
    );
  }
  return [];
}

test('every status field the framework writes is in the CRD schema', () => {
  const full = appStatus(
    input({
      prev: appStatus(input()),
      plan: plan({ converged: false, oldLive: 1 }),
      version: 'v2',
      generation: 2,
      unplaced: { count: 1, reason: 'why' },
      lastTaskFailure: {
        taskId: 't',
        state: 'TASK_FAILED',
        message: 'm',
        at: new Date(NOW).toISOString(),
      },
      delayedUntil: NOW + 1,
      failures: 1,
    }),
  );
  assert.ok(
    full.deployment && full.lastTaskFailure && full.launchDelayedUntil && full.unplacedReason,
  );
  assert.deepEqual(unknownPaths(full, appKind.status, 'status'), []);
});
