// The soak's oracle on hand-made observations: a healthy one passes, and each kind of
// wrongness the soak exists to catch is found (so that a green soak means something).
// Pure; it sits beside the soak it checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchTask } from '../../../bench/soak/harness/batch-records.js';
import type { Facts } from '../../../bench/soak/harness/facts.js';
import type { AgentTask, LoggedUpdate } from '../../../bench/soak/harness/node-facts.js';
import { faultsDuring, judge } from '../../../bench/soak/harness/oracle.js';
import type { ViolationKind } from '../../../bench/soak/harness/violations.js';

const T0 = 1_000_000;
const BATCH = 'batch-1';
const WEB = 'default.web.v1.aaaa';
const TICK = 'schedule.default.tick-1000-1';

function updates(...states: string[]): LoggedUpdate[] {
  return states.map((state, i) => ({
    state,
    reason: '',
    uuid: `${state}-${i}`,
    sequence: i + 1,
    timestamp: (T0 + 1_000 * (i + 1)) / 1000,
  }));
}

function agentTask(id: string, ...states: string[]): AgentTask {
  const u = updates(...states);
  return {
    taskId: id,
    frameworkId: 'fw',
    cgroup: `${id}-0123456789`,
    launchedAt: T0,
    updates: u,
    acked: new Set(u.map((x) => x.uuid)),
  };
}

function batchTask(...states: string[]): BatchTask {
  return {
    id: BATCH,
    index: 1,
    launchedAt: T0,
    accepted: true,
    deliveries: states.map((state, i) => ({ state, uuid: `u${i}`, reason: '', at: T0 + i })),
  };
}

/** One batch task finished, one App instance running, one Schedule run finished. */
function healthy(): Facts {
  const reported = () =>
    new Map([
      [BATCH, { state: 'TASK_FINISHED' }],
      [WEB, { state: 'TASK_RUNNING' }],
      [TICK, { state: 'TASK_FINISHED' }],
    ]);
  return {
    at: T0 + 60_000,
    controller: reported(),
    store: reported(),
    apps: [{ name: 'web', instances: 1, statusInstances: 1, deleting: false }],
    schedules: [
      {
        name: 'tick',
        historyLimit: 100,
        successCount: 1,
        errorCount: 0,
        running: [],
        history: [{ task: TICK, result: 'Succeeded' }],
      },
    ],
    agent: new Map([
      [BATCH, agentTask(BATCH, 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED')],
      [WEB, agentTask(WEB, 'TASK_STARTING', 'TASK_RUNNING')],
      [TICK, agentTask(TICK, 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED')],
    ]),
    live: new Map([[WEB, [200, 201]]]),
    markers: new Map([
      [BATCH, [{ pid: 100, at: T0 + 500 }]],
      [WEB, [{ pid: 201, at: T0 + 500 }]],
      [TICK, [{ pid: 300, at: T0 + 500 }]],
    ]),
    batch: {
      tasks: new Map([[BATCH, batchTask('TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED')]]),
      subscriptions: 1,
      frameworkId: 'fw',
    },
    faults: [],
    crashes: [],
    deletedApps: [],
  };
}

const setState = (f: Facts, id: string, state: string, reason?: string) => {
  const reported = reason === undefined ? { state } : { state, reason };
  f.controller?.set(id, reported);
  f.store?.set(id, reported);
};

/** The App instance WEB ended on its own (the agent recorded FAILED), its App gone. */
const webFailed = (f: Facts) => {
  f.agent.set(WEB, agentTask(WEB, 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED'));
  f.apps = [];
};

const cases: { name: string; mutate: (f: Facts) => void; expect: ViolationKind[] }[] = [
  { name: 'healthy', mutate: () => undefined, expect: [] },
  {
    name: 'a finished task Mezzo forgot',
    mutate: (f) => {
      f.controller?.delete(BATCH);
      f.store?.delete(BATCH);
    },
    expect: ['unknown-to-controller'],
  },
  {
    // The framework was told FINISHED too: a final state Mezzo does not report (yet),
    // which settling may heal, not a conflict.
    name: 'the agent finished it; Mezzo still says running',
    mutate: (f) => setState(f, BATCH, 'TASK_RUNNING'),
    expect: ['final-state-lost'],
  },
  {
    name: 'the store lags the controller',
    mutate: (f) => f.store?.set(WEB, { state: 'TASK_STAGING' }),
    expect: ['store-diverged'],
  },
  {
    name: 'Mezzo reports another final state than the agent recorded',
    mutate: (f) => setState(f, TICK, 'TASK_GONE'),
    // Also the Schedule's Succeeded no longer matches; and its history has the run.
    expect: ['conflicting-final'],
  },
  {
    // A kill asked while the agent was partitioned: Mezzo declares TASK_KILLED (final by
    // design); the task died otherwise before the kill reached it.
    name: 'Mezzo declared it killed while its agent was away; the agent recorded FAILED',
    mutate: (f) => {
      webFailed(f);
      f.live.delete(WEB);
      setState(f, WEB, 'TASK_KILLED', 'REASON_AGENT_DISCONNECTED');
    },
    expect: [],
  },
  {
    name: 'the same, but its process still runs',
    mutate: (f) => {
      webFailed(f);
      setState(f, WEB, 'TASK_KILLED', 'REASON_AGENT_DISCONNECTED');
    },
    expect: ['unowned-process'],
  },
  {
    name: 'a TASK_KILLED the agent did not record is still a conflict',
    mutate: (f) => {
      webFailed(f);
      f.live.delete(WEB);
      setState(f, WEB, 'TASK_KILLED');
    },
    expect: ['conflicting-final'],
  },
  {
    name: 'two starts of one task',
    mutate: (f) => f.markers.get(WEB)?.push({ pid: 999, at: T0 + 9_000 }),
    expect: ['ran-twice'],
  },
  {
    name: 'running with no process',
    mutate: (f) => f.live.delete(WEB),
    expect: ['app-instances', 'ghost-running'],
  },
  {
    name: 'a cgroup of no known task holds a process',
    mutate: (f) => f.live.set('cgroup:stray-0123456789', [777]),
    expect: ['unowned-process'],
  },
  {
    name: 'killed, yet its process lives',
    mutate: (f) => setState(f, WEB, 'TASK_KILLED'),
    expect: ['unowned-process'],
  },
  {
    name: 'unreachable for ever',
    mutate: (f) => setState(f, WEB, 'TASK_UNREACHABLE'),
    expect: ['stuck'],
  },
  { name: 'lost', mutate: (f) => setState(f, WEB, 'TASK_LOST'), expect: ['reported-lost'] },
  {
    name: 'the final state never reached the batch framework',
    mutate: (f) => {
      const t = f.batch.tasks.get(BATCH);
      if (t) t.deliveries = t.deliveries.slice(0, 2);
    },
    expect: ['not-delivered'],
  },
  {
    name: 'the batch framework was told two final states',
    mutate: (f) =>
      f.batch.tasks
        .get(BATCH)
        ?.deliveries.push({ state: 'TASK_FAILED', uuid: 'x', reason: '', at: T0 + 9 }),
    expect: ['conflicting-final'],
  },
  {
    // As seen: a reconciliation answered TASK_GONE while the controller kept STARTING.
    name: 'the batch framework was told a final state Mezzo does not report',
    mutate: (f) => {
      setState(f, BATCH, 'TASK_STARTING');
      const t = f.batch.tasks.get(BATCH);
      if (t) t.deliveries = [{ state: 'TASK_GONE', uuid: '', reason: '', at: T0 + 1 }];
    },
    expect: ['final-state-lost'],
  },
  {
    name: 'a duplicate of the same final state is only a delivery',
    mutate: (f) =>
      f.batch.tasks
        .get(BATCH)
        ?.deliveries.push({ state: 'TASK_FINISHED', uuid: 'u2', reason: '', at: T0 + 9 }),
    expect: [],
  },
  {
    name: 'a Schedule still holds a finished run as running',
    mutate: (f) => {
      const s = f.schedules?.[0];
      if (s) Object.assign(s, { running: [TICK], history: [], successCount: 0 });
    },
    expect: ['not-delivered', 'schedule-count'],
  },
  {
    name: 'a Schedule recorded the wrong result',
    mutate: (f) => {
      const s = f.schedules?.[0];
      if (s) Object.assign(s, { history: [{ task: TICK, result: 'Failed' }] });
    },
    expect: ['conflicting-final'],
  },
  {
    name: 'an accepted launch no component heard of',
    mutate: (f) => f.batch.tasks.set('batch-2', { ...batchTask(), id: 'batch-2', index: 2 }),
    expect: ['launch-vanished'],
  },
  {
    name: 'a failed accept no component heard of is no task',
    mutate: (f) =>
      f.batch.tasks.set('batch-2', { ...batchTask(), id: 'batch-2', index: 2, accepted: false }),
    expect: [],
  },
  {
    name: 'a deleted App left a process',
    mutate: (f) => {
      f.deletedApps.push('web');
    },
    // Its object is still there too (no finalizer ran).
    expect: ['deleted-app-remains'],
  },
  {
    name: 'App status disagrees with the processes',
    mutate: (f) => {
      const a = f.apps?.[0];
      if (a) a.statusInstances = 2;
    },
    expect: ['app-instances'],
  },
  {
    name: 'a process crashed',
    mutate: (f) =>
      f.crashes.push({ process: 'controller', at: T0, code: 1, signal: null, logTail: ['boom'] }),
    expect: ['process-crashed'],
  },
  {
    name: 'the controller does not answer',
    mutate: (f) => {
      delete f.controller;
      delete f.store;
      delete f.apps;
      delete f.schedules;
    },
    expect: ['controller-unavailable', 'unknown-to-controller'],
  },
];

for (const c of cases) {
  test(`oracle: ${c.name}`, () => {
    const f = healthy();
    c.mutate(f);
    const kinds = [...new Set(judge(f, T0).violations.map((v) => v.kind))].sort();
    assert.deepEqual(kinds, [...c.expect].sort());
  });
}

test('oracle: a final update the agent still resends is counted, not a violation', () => {
  const f = healthy();
  f.agent.get(BATCH)?.acked.delete('TASK_FINISHED-2');
  const j = judge(f, T0);
  assert.deepEqual(j.violations, []);
  assert.deepEqual(j.unacknowledged, [BATCH]);
});

test('oracle: a failed accept is counted as never launched, not as a task', () => {
  const f = healthy();
  f.batch.tasks.set('batch-2', { ...batchTask(), id: 'batch-2', index: 2, accepted: false });
  const j = judge(f, T0);
  assert.deepEqual(j.neverLaunched, ['batch-2']);
  assert.deepEqual(j.tasks.map((t) => t.id).sort(), [BATCH, WEB, TICK].sort());
});

test('oracle: evidence names the faults injected while the task lived', () => {
  const f = healthy();
  // BATCH lived from T0 to its FINISHED at T0 + 3 s; faults count within 2 s either side.
  f.faults = [
    { kind: 'controller_kill', at: T0 - 3_000 },
    { kind: 'agent_kill', at: T0 + 1_000 },
    { kind: 'task_kill', at: T0 + 4_500, detail: 'x' },
    { kind: 'agent_partition', at: T0 + 6_000 },
  ];
  assert.deepEqual(faultsDuring(f, BATCH, T0), ['agent_kill@1.0s', 'task_kill@4.5s (x)']);
});

test('oracle: for a task that never ended, evidence names the first faults it met', () => {
  const f = healthy();
  // WEB started at T0 + 0.5 s and has no final state: its window runs to the observation.
  f.faults = [1, 2, 3, 4, 5, 6].map((s) => ({ kind: 'task_kill' as const, at: T0 + s * 1_000 }));
  assert.deepEqual(faultsDuring(f, WEB, T0), [
    'task_kill@1.0s',
    'task_kill@2.0s',
    'task_kill@3.0s',
    'task_kill@4.0s',
    '2 later',
  ]);
});
