// Hostile Chronos job JSON: objects built from Chronos' field names (and others) with
// any JSON values, posted to both create endpoints, and any text as a job name in the
// paths. The oracle: every answer is a 204 or a 4xx with the error body (never a 5xx),
// a refused post changes no Schedule, and an accepted one is a job GET lists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHRONOS_JOB_FIELDS } from '../../../src/compat/chronos/job-input.js';
import { isErrorBody } from '../../../src/shared/http/errors.js';
import { fuzzOptions } from '../../support/fuzz.js';
import { scheduled, startChronosServer, type ChronosServer } from './chronos-support.js';

let server: ChronosServer;
before(async () => {
  server = await startChronosServer();
  assert.equal((await server.call('POST', '/iso8601', scheduled('fuzz-root'))).status, 204);
});
after(() => server.stop());

const FIELDS = [...CHRONOS_JOB_FIELDS, '__proto__', 'constructor', 'x'];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('R/2030-01-01T00:00:00Z/PT1H', 'R//P1D', 'PT1M', 'fuzz-root', ['fuzz-root'], ''),
);
const job = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 12 }),
  fc.record({
    name: fc.string({ maxLength: 20 }),
    command: fc.string(),
    schedule: fc.string(),
    parents: fc.array(fc.string(), { maxLength: 3 }),
  }),
  fc.jsonValue({ maxDepth: 2 }),
);

test('any job JSON: 204 and listed, or a 4xx that changes nothing', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/iso8601', '/dependency'), job, async (path, body) => {
      const before = JSON.stringify(await server.store.list('Schedule'));
      const r = await server.call('POST', path, JSON.stringify(body));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 204) {
        const name = (body as { name: string }).name;
        const listed = (await server.call('GET', '/jobs')).json as { name: string }[];
        assert.ok(
          listed.some((j) => j.name === name),
          name,
        );
        return;
      }
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
      assert.ok(isErrorBody(r.json), r.text);
      assert.equal(JSON.stringify(await server.store.list('Schedule')), before);
    }),
    fuzzOptions(300),
  );
  assert.ok((statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
});

test('any text as a job name in a path: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(
        ['PUT', '/job/'],
        ['DELETE', '/job/'],
        ['DELETE', '/task/kill/'],
        ['GET', '/job/stat/'],
      ),
      fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
      async ([method, prefix], name) => {
        const r = await server.call(method, `${prefix}${encodeURIComponent(name)}`);
        assert.ok(r.status >= 200 && r.status < 500, `${r.status} ${r.text}`);
      },
    ),
    fuzzOptions(200),
  );
  assert.ok(await server.store.get('Schedule', 'fuzz-root', 'default'));
});
