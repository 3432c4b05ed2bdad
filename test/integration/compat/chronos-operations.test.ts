// Chronos' REST API over plain HTTP against a real controller: listing, summary and
// search, run now, delete, kill, the stat shape, the graph in DOT and CSV, and the same
// authorization answers as the native API (403 naming what is missing, nothing changed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_NOW_ARGUMENTS_ANNOTATION } from '../../../src/frameworks/schedules/run-arguments.js';
import { RUN_NOW_ANNOTATION } from '../../../src/frameworks/schedules/runs.js';
import {
  dependent,
  errorMessage,
  OTHER_NS,
  scheduled,
  startChronosServer,
  VIEWER,
  type ChronosServer,
} from './chronos-support.js';

let server: ChronosServer;
const call: ChronosServer['call'] = (...a) => server.call(...a);
const runNowOf = async (name: string) =>
  (await server.store.get('Schedule', name, 'default'))?.metadata.annotations?.[RUN_NOW_ANNOTATION];

// Runs as the schedules framework records them: one success of 2 s, one failure of 4 s.
const T = Date.parse('2026-03-15T12:00:00Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const ALPHA_STATUS = {
  successCount: 1,
  errorCount: 1,
  lastSuccess: at(10),
  lastFailure: at(4),
  running: [],
  history: [
    {
      id: 'ops-alpha-1-2',
      scheduledTime: at(0),
      attempt: 2,
      trigger: 'retry',
      startedAt: at(8),
      finishedAt: at(10),
      result: 'Succeeded',
    },
    {
      id: 'ops-alpha-1-1',
      scheduledTime: at(0),
      attempt: 1,
      trigger: 'manual',
      startedAt: at(0),
      finishedAt: at(4),
      result: 'Failed',
      message: 'TASK_FAILED: exit code 1',
    },
  ],
};

before(async () => {
  server = await startChronosServer();
  const posts: [string, unknown][] = [
    ['/iso8601', scheduled('ops-alpha', { command: 'echo Hello' })],
    ['/iso8601', scheduled('ops-beta', { command: 'date -u', disabled: true })],
    ['/dependency', dependent('ops-gamma', ['ops-alpha'], { command: 'echo after-alpha' })],
  ];
  for (const [path, body] of posts) {
    const r = await call('POST', path, body);
    assert.equal(r.status, 204, r.text);
  }
  await server.store.updateStatus('Schedule', 'ops-alpha', 'default', ALPHA_STATUS);
});
after(() => server.stop());

describe('reading jobs', () => {
  test('the summary names each job with its last and current state', async () => {
    const r = await call('GET', '/jobs/summary');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      jobs: [
        {
          name: 'ops-alpha',
          status: 'success',
          state: 'idle',
          schedule: 'R/2030-01-01T00:00:00Z/PT1H',
          parents: [],
          disabled: false,
        },
        {
          name: 'ops-beta',
          status: 'fresh',
          state: 'idle',
          schedule: 'R/2030-01-01T00:00:00Z/PT1H',
          parents: [],
          disabled: true,
        },
        {
          name: 'ops-gamma',
          status: 'fresh',
          state: 'idle',
          schedule: '',
          parents: ['ops-alpha'],
          disabled: false,
        },
      ],
    });
  });

  test('listed jobs carry the counters of the Schedule status', async () => {
    const jobs = (await call('GET', '/jobs')).json as Record<string, unknown>[];
    const alpha = jobs.find((j) => j.name === 'ops-alpha');
    assert.equal(alpha?.successCount, 1);
    assert.equal(alpha.errorCount, 1);
    assert.equal(alpha.lastSuccess, at(10));
    assert.equal(alpha.lastError, at(4));
    assert.equal(alpha.errorsSinceLastSuccess, 0);
    const gamma = jobs.find((j) => j.name === 'ops-gamma');
    assert.deepEqual(gamma?.parents, ['ops-alpha']);
    assert.equal(gamma.schedule, undefined, 'a dependent job has parents, not a schedule');
  });

  const searches: [string, string[]][] = [
    ['?name=ALPHA', ['ops-alpha']],
    ['?name=ops', ['ops-alpha', 'ops-beta', 'ops-gamma']],
    ['?command=hello', ['ops-alpha']],
    ['?any=after', ['ops-gamma']],
    ['?any=beta', ['ops-beta']],
    ['?name=ops&command=date', ['ops-beta']],
    ['?name=ops&limit=2', ['ops-alpha', 'ops-beta']],
    ['?name=ops&offset=1&limit=1', ['ops-beta']],
    ['?name=nothing', []],
    ['', ['ops-alpha', 'ops-beta', 'ops-gamma']],
  ];
  for (const [query, expected] of searches) {
    test(`search ${query || '(no terms)'}`, async () => {
      const r = await call('GET', `/jobs/search${query}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(
        (r.json as { name: string }[]).map((j) => j.name),
        expected,
      );
    });
  }

  const badQueries = ['?limit=-1', '?offset=x', '?colour=blue', `?name=${'x'.repeat(2000)}`];
  for (const q of badQueries) {
    test(`search refuses ${q.slice(0, 20)}`, async () => {
      assert.equal((await call('GET', `/jobs/search${q}`)).status, 400);
    });
  }

  test('stat: a histogram of run durations and each run', async () => {
    const r = await call('GET', '/job/stat/ops-alpha');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      histogram: {
        '75thPercentile': 4000,
        '95thPercentile': 4000,
        '98thPercentile': 4000,
        '99thPercentile': 4000,
        median: 2000,
        mean: 3000,
        count: 2,
      },
      taskStatHistory: [
        {
          taskId: 'schedule.default.ops-alpha-1-2',
          jobName: 'ops-alpha',
          slaveId: '',
          startTime: '03/15/26 12:00:08',
          endTime: '03/15/26 12:00:10',
          duration: '0d0h0m2s',
          status: 'Success',
        },
        {
          taskId: 'schedule.default.ops-alpha-1-1',
          jobName: 'ops-alpha',
          slaveId: '',
          startTime: '03/15/26 12:00:00',
          endTime: '03/15/26 12:00:04',
          duration: '0d0h0m4s',
          status: 'Fail',
        },
      ],
    });
    const fresh = (await call('GET', '/job/stat/ops-beta')).json as {
      histogram: { count: number };
      taskStatHistory: unknown[];
    };
    assert.equal(fresh.histogram.count, 0);
    assert.deepEqual(fresh.taskStatHistory, []);
  });

  test('graph/dot: parents point at children, coloured by the last run', async () => {
    const r = await call('GET', '/graph/dot');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain/);
    assert.equal(
      r.text,
      [
        'digraph G {',
        '  "ops-alpha" [style=filled, fillcolor=green];',
        '  "ops-beta" [style=filled, fillcolor=lightgrey];',
        '  "ops-gamma" [style=filled, fillcolor=lightgrey];',
        '  "ops-alpha" -> "ops-gamma";',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('graph/csv: node and link lines', async () => {
    const r = await call('GET', '/graph/csv');
    assert.equal(r.status, 200);
    assert.equal(
      r.text,
      'node,ops-alpha,success,idle\nnode,ops-beta,fresh,idle\nnode,ops-gamma,fresh,idle\nlink,ops-alpha,ops-gamma\n',
    );
  });
});

describe('acting on jobs', () => {
  const missing: [string, string, number][] = [
    ['PUT', '/job/no-such-job', 404],
    ['PUT', '/job/Bad_Name', 400],
    ['DELETE', '/job/no-such-job', 404],
    ['DELETE', '/task/kill/no-such-job', 404],
    ['GET', '/job/stat/no-such-job', 404],
    ['GET', '/job/stat/Bad_Name', 400],
    ['GET', '/iso8601', 405],
    ['POST', '/jobs', 405],
  ];
  for (const [method, path, status] of missing) {
    test(`${method} ${path} → ${status}`, async () => {
      assert.equal((await call(method, path)).status, status);
    });
  }

  test('run now sets a new run-now value each time; arguments are bound to it', async () => {
    assert.equal(await runNowOf('ops-beta'), undefined);
    assert.equal((await call('PUT', '/job/ops-beta')).status, 204);
    const first = await runNowOf('ops-beta');
    assert.ok(first);
    assert.equal((await call('PUT', '/job/ops-beta')).status, 204);
    const second = await runNowOf('ops-beta');
    assert.ok(second && second !== first);
    assert.equal((await call('PUT', '/job/ops-beta?arguments=-v%20%27a%20b%27')).status, 204);
    const third = await runNowOf('ops-beta');
    assert.ok(third && third !== second);
    const annotations = (await server.store.get('Schedule', 'ops-beta', 'default'))?.metadata
      .annotations;
    assert.deepEqual(JSON.parse(annotations?.[RUN_NOW_ARGUMENTS_ANNOTATION] ?? '{}'), {
      runNow: third,
      arguments: ['-v', 'a b'],
    });
    const r = await call('PUT', '/job/ops-beta?arguments=-v%00');
    assert.equal(r.status, 400);
    assert.match(errorMessage(r), /arguments holds the control character U\+0000/);
    assert.equal(await runNowOf('ops-beta'), third);
  });

  test('kill with no run in progress is a no-op', async () => {
    assert.equal((await call('DELETE', '/task/kill/ops-alpha')).status, 204);
  });

  test('a parent is not deleted while a job depends on it; its child is', async () => {
    const r = await call('DELETE', '/job/ops-alpha');
    assert.equal(r.status, 409);
    assert.match(errorMessage(r), /parent of "ops-gamma"/);
    assert.ok(await server.store.get('Schedule', 'ops-alpha', 'default'));
    assert.equal((await call('DELETE', '/job/ops-gamma')).status, 204);
    assert.equal(await server.store.get('Schedule', 'ops-gamma', 'default'), undefined);
  });
});

describe('authorization (the native API questions)', () => {
  const cases: [string, string, string, unknown, string | null, number, RegExp?][] = [
    ['viewer lists', 'GET', '/jobs', undefined, VIEWER, 200],
    ['viewer reads the graph', 'GET', '/graph/csv', undefined, VIEWER, 200],
    ['viewer creates', 'POST', '/iso8601', scheduled('auth-new'), VIEWER, 403, /create.*schedules/],
    [
      'viewer updates',
      'POST',
      '/iso8601',
      scheduled('ops-beta', { command: 'rm -rf /' }),
      VIEWER,
      403,
      /update.*schedules/,
    ],
    ['viewer runs', 'PUT', '/job/ops-beta', undefined, VIEWER, 403, /patch.*schedules/],
    ['viewer deletes', 'DELETE', '/job/ops-beta', undefined, VIEWER, 403, /delete.*schedules/],
    [
      'a writer of team-b creates here',
      'POST',
      '/iso8601',
      scheduled('auth-new'),
      OTHER_NS,
      403,
      /default/,
    ],
    ['a writer of team-b lists here', 'GET', '/jobs', undefined, OTHER_NS, 403],
    ['no token', 'GET', '/jobs', undefined, null, 401],
    [
      'a wrong token',
      'POST',
      '/iso8601',
      scheduled('auth-new'),
      'not-a-token-0123456789abcdef012345',
      401,
    ],
  ];
  for (const [what, method, path, body, token, status, message] of cases) {
    test(`${what} → ${status}`, async () => {
      const before = JSON.stringify(await server.store.list('Schedule'));
      const r = await call(method, path, body, token);
      assert.equal(r.status, status, r.text);
      if (message) assert.match(errorMessage(r), message);
      if (status >= 400) assert.equal(JSON.stringify(await server.store.list('Schedule')), before);
    });
  }
});
