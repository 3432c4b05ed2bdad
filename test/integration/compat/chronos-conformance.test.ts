// Chronos' REST API over plain HTTP against a real controller: creating and updating jobs.
// Status codes, what each refusal says and that it changes nothing, and the mapping of
// Chronos' job JSON onto the Schedule spec and back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dependent,
  errorMessage,
  scheduled,
  startChronosServer,
  type ChronosServer,
} from './chronos-support.js';

let server: ChronosServer;
before(async () => {
  server = await startChronosServer();
});
after(() => server.stop());
const call: ChronosServer['call'] = (...a) => server.call(...a);

/** The Schedule's spec; empty when there is none. */
const spec = async (name: string): Promise<Record<string, unknown>> =>
  (await server.store.get('Schedule', name, 'default'))?.spec ?? {};

describe('creating jobs', () => {
  test('a scheduled job maps onto a Schedule and back', async () => {
    const r = await call(
      'POST',
      '/iso8601',
      scheduled('map-a', {
        epsilon: 'PT15M',
        scheduleTimeZone: 'Europe/Rome',
        retries: 3,
        cpus: '0.5',
        mem: 64,
        disk: 10,
        environmentVariables: [{ name: 'A', value: '1' }],
        uris: ['https://example.com/a.tgz'],
        fetch: [{ uri: 'https://example.com/b', executable: true, cache: false, extract: false }],
        constraints: [['rack', 'EQUALS', 'r1']],
        ownerName: 'Ops',
        description: 'maps',
        concurrent: true,
        // Status fields and features left at "nothing special" are accepted.
        successCount: 7,
        lastSuccess: '',
        async: false,
        container: null,
        executor: '',
        highPriority: false,
      }),
    );
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assert.deepEqual(await spec('map-a'), {
      command: 'echo map-a',
      schedule: 'R/2030-01-01T00:00:00Z/PT1H',
      timeZone: 'Europe/Rome',
      epsilon: 'PT15M',
      retries: 3,
      cpus: 0.5,
      mem: 64,
      disk: 10,
      env: { A: '1' },
      uris: [
        { value: 'https://example.com/a.tgz' },
        { value: 'https://example.com/b', executable: true, cache: false, extract: false },
      ],
      constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r1' }],
      disabled: false,
      concurrencyPolicy: 'Allow',
      owner: { name: 'ops@example.com' },
      // Defaults the CRD fills in.
      retryBackoff: 'PT30S',
      historyLimit: 10,
    });
    const listed = (await call('GET', '/jobs')).json as Record<string, unknown>[];
    const job = listed.find((j) => j.name === 'map-a');
    assert.ok(job);
    assert.equal(job.schedule, 'R/2030-01-01T00:00:00Z/PT1H');
    assert.equal(job.scheduleTimeZone, 'Europe/Rome');
    assert.equal(job.shell, true);
    assert.equal(job.mem, 64);
    assert.equal(job.cpus, 0.5);
    assert.equal(job.ownerName, 'Ops');
    assert.equal(job.description, 'maps');
    assert.equal(job.concurrent, true);
    assert.equal(job.successCount, 0, 'status comes from the Schedule, not the request');
    assert.equal(job.lastSuccess, '');
    assert.deepEqual(job.environmentVariables, [{ name: 'A', value: '1' }]);
    assert.deepEqual(job.constraints, [['rack', 'EQUALS', 'r1']]);
    assert.deepEqual(job.uris, ['https://example.com/a.tgz', 'https://example.com/b']);
    // What GET gives back can be posted back unchanged (clients edit jobs that way).
    assert.equal((await call('POST', '/iso8601', job)).status, 204);
    assert.equal((await spec('map-a'))['cpus'], 0.5);
  });

  test('shell false runs the command with arguments, without a shell; defaults are Chronos', async () => {
    const r = await call(
      'POST',
      '/iso8601',
      scheduled('map-args', { command: '/bin/echo', shell: false, arguments: ['-n', 'x y'] }),
    );
    assert.equal(r.status, 204, r.text);
    const s = await spec('map-args');
    assert.deepEqual(s['args'], ['/bin/echo', '-n', 'x y']);
    assert.equal(s['command'], undefined);
    // Chronos' own defaults: 128 MB of memory, 256 MB of disk, one run at a time.
    assert.equal(s['mem'], 128);
    assert.equal(s['disk'], 256);
    assert.equal(s['concurrencyPolicy'], 'Forbid');
  });

  test('an environment variable named __proto__ stays a variable', async () => {
    const body = `{"name":"map-proto","command":"env","schedule":"R/2030-01-01T00:00:00Z/PT1H","environmentVariables":[{"name":"__proto__","value":"v"}]}`;
    const r = await call('POST', '/iso8601', body);
    assert.equal(r.status, 204, r.text);
    assert.ok(Object.hasOwn((await spec('map-proto'))['env'] as object, '__proto__'));
    const listed = (await call('GET', '/jobs')).json as {
      name: string;
      environmentVariables: unknown;
    }[];
    assert.deepEqual(listed.find((j) => j.name === 'map-proto')?.environmentVariables, [
      { name: '__proto__', value: 'v' },
    ]);
  });

  test('an empty start means now, written out', async () => {
    const before = Date.now();
    assert.equal(
      (await call('POST', '/iso8601', scheduled('map-now', { schedule: 'R5//PT1H' }))).status,
      204,
    );
    const m = /^R5\/(.+)\/PT1H$/.exec(String((await spec('map-now'))['schedule']));
    assert.ok(m?.[1]);
    assert.ok(Date.parse(m[1]) >= before - 1000);
  });

  test('an update keeps what only Mezzo can say (retryBackoff, owner webhook)', async () => {
    assert.equal((await call('POST', '/iso8601', scheduled('map-keep'))).status, 204);
    const obj = await server.store.get('Schedule', 'map-keep', 'default');
    assert.ok(obj);
    await server.store.update({
      ...obj,
      spec: {
        ...obj.spec,
        retryBackoff: 'PT5S',
        owner: { name: 'x', webhook: 'https://h.example/' },
      },
    });
    assert.equal(
      (await call('POST', '/iso8601', scheduled('map-keep', { command: 'echo changed' }))).status,
      204,
    );
    const s = await spec('map-keep');
    assert.equal(s['command'], 'echo changed');
    assert.equal(s['retryBackoff'], 'PT5S');
    assert.deepEqual(s['owner'], { name: 'ops@example.com', webhook: 'https://h.example/' });
  });

  const refusals: [string, string, unknown, RegExp][] = [
    [
      '/iso8601',
      'a start that is no date',
      scheduled('bad-1', { schedule: 'R/not-a-date/PT1H' }),
      /schedule/,
    ],
    [
      '/iso8601',
      'a period without P',
      scheduled('bad-2', { schedule: 'R/2030-01-01T00:00:00Z/1H' }),
      /repeating interval/,
    ],
    ['/iso8601', 'month 13', scheduled('bad-3', { schedule: 'R/2030-13-01T00:00:00Z/PT1H' }), /./],
    [
      '/iso8601',
      'a period under a second',
      scheduled('bad-4', { schedule: 'R/2030-01-01T00:00:00Z/PT0.5S' }),
      /1s|second/,
    ],
    [
      '/iso8601',
      'no schedule',
      { name: 'bad-5', command: 'x', owner: '', disabled: false },
      /schedule: is required/,
    ],
    ['/iso8601', 'parents sent to /iso8601', dependent('bad-6', ['map-a']), /dependency/],
    [
      '/iso8601',
      'an unknown time zone',
      scheduled('bad-7', { scheduleTimeZone: 'Mars/Olympus' }),
      /zone|Mars/i,
    ],
    [
      '/iso8601',
      'a name Kubernetes cannot have',
      scheduled('Bad_Name'),
      /cannot be a Schedule name/,
    ],
    [
      '/iso8601',
      'a container',
      scheduled('bad-8', { container: { type: 'DOCKER', image: 'busybox' } }),
      /container/,
    ],
    ['/iso8601', 'an async job', scheduled('bad-9', { async: true }), /async/i],
    ['/iso8601', 'highPriority', scheduled('bad-10', { highPriority: true }), /high-priority/],
    ['/iso8601', 'runAsUser', scheduled('bad-11', { runAsUser: 'root' }), /runAsUser/],
    ['/iso8601', 'an unknown field', scheduled('bad-12', { colour: 'blue' }), /colour/],
    [
      '/iso8601',
      'a field named like a method',
      scheduled('bad-23', { toString: 'x' }),
      /toString: is not a Chronos job field/,
    ],
    ['/iso8601', 'arguments with shell true', scheduled('bad-13', { arguments: ['-v'] }), /shell/],
    [
      '/iso8601',
      'an environment variable twice',
      scheduled('bad-14', {
        environmentVariables: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      }),
      /twice/,
    ],
    [
      '/iso8601',
      'a constraint Chronos has not',
      scheduled('bad-15', { constraints: [['rack', 'UNIQUE', '']] }),
      /operator/,
    ],
    ['/iso8601', 'fractional memory', scheduled('bad-16', { mem: 1.5 }), /whole number/],
    ['/iso8601', 'a negative epsilon', scheduled('bad-17', { epsilon: '-PT1M' }), /epsilon/],
    ['/iso8601', 'an s3 URI', scheduled('bad-18', { uris: ['s3://bucket/key'] }), /uris/],
    [
      '/dependency',
      'an unknown parent',
      dependent('bad-19', ['no-such-job']),
      /unknown parent job "no-such-job"/,
    ],
    ['/dependency', 'no parents', dependent('bad-20', []), /parents: is required/],
    [
      '/dependency',
      'a schedule too',
      dependent('bad-21', ['map-a'], { schedule: 'R/2030-01-01T00:00:00Z/PT1H' }),
      /not a schedule/,
    ],
    ['/dependency', 'itself as parent', dependent('map-a', ['map-a']), /own parent|cycle/],
    ['/iso8601', 'a list for a body', [scheduled('bad-22')], /body/],
    ['/iso8601', 'no name', { command: 'x', schedule: 'R/2030-01-01T00:00:00Z/PT1H' }, /name/],
  ];
  for (const [path, what, body, message] of refusals) {
    test(`400 and nothing changes: ${what}`, async () => {
      const before = await server.store.list('Schedule');
      const r = await call('POST', path, body);
      assert.equal(r.status, 400, r.text);
      assert.match(errorMessage(r), message);
      assert.deepEqual(await server.store.list('Schedule'), before);
    });
  }

  test('a body that is not JSON is refused', async () => {
    const r = await call('POST', '/iso8601', '{"name": ');
    assert.equal(r.status, 400, r.text);
  });

  test('a cycle through an update is refused and the job keeps its parents', async () => {
    assert.equal((await call('POST', '/iso8601', scheduled('cyc-a'))).status, 204);
    assert.equal((await call('POST', '/dependency', dependent('cyc-b', ['cyc-a']))).status, 204);
    const r = await call('POST', '/dependency', dependent('cyc-a', ['cyc-b']));
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, /cycle/);
    assert.equal((await spec('cyc-a'))['schedule'], 'R/2030-01-01T00:00:00Z/PT1H');
  });
});
