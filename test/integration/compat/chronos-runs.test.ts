// Chronos' run endpoints on real runs (a real agent, the schedules framework on the real
// clock): a job started with PUT shows as running in the summary, the CSV graph and its
// stats; killing its tasks needs `kill` on each task, as the native /kill does, and ends
// the run as a failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal } from '../../../src/controller/records.js';
import {
  errorMessage,
  scheduled,
  startChronosServer,
  VIEWER,
  type ChronosServer,
} from './chronos-support.js';
import { eventually } from '../schedules/support.js';

let server: ChronosServer;
before(async () => {
  server = await startChronosServer(true);
});
after(() => server.stop());

interface Summary {
  jobs: { name: string; status: string; state: string }[];
}
interface Stat {
  taskStatHistory: { status: string; slaveId: string; taskId: string }[];
}

const summaryOf = async (name: string) =>
  ((await server.call('GET', '/jobs/summary')).json as Summary).jobs.find((j) => j.name === name);
const statOf = async (name: string) => (await server.call('GET', `/job/stat/${name}`)).json as Stat;
const liveTasks = () =>
  [...server.controller.core.tasks.values()].filter((t) => !isTerminal(t.state));

test('a running job is shown running, and killing it takes kill on its task', async () => {
  const started = join(server.dir, 'sleeper.started');
  const job = scheduled('sleeper', {
    command: `touch ${started}; exec sleep 300`,
    retries: 0,
    mem: 32,
    disk: 0,
  });
  assert.equal((await server.call('POST', '/iso8601', job)).status, 204);
  assert.equal((await server.call('PUT', '/job/sleeper')).status, 204);
  await eventually(
    async () => (await summaryOf('sleeper'))?.state === '1 running' && existsSync(started),
    30_000,
    'the run to start',
  );
  assert.match((await server.call('GET', '/graph/csv')).text, /^node,sleeper,fresh,1 running$/m);
  const running = (await statOf('sleeper')).taskStatHistory;
  assert.equal(running.length, 1);
  assert.equal(running[0]?.status, 'Running');
  assert.equal(running[0].slaveId, [...server.controller.core.agents.keys()][0]);
  assert.equal(liveTasks().length, 1);

  // A viewer may read the job but not kill its task: nothing is killed.
  const denied = await server.call('DELETE', '/task/kill/sleeper', undefined, VIEWER);
  assert.equal(denied.status, 403, denied.text);
  assert.match(errorMessage(denied), /kill.*tasks/);
  assert.equal(liveTasks().length, 1);

  assert.equal((await server.call('DELETE', '/task/kill/sleeper')).status, 204);
  await eventually(
    async () => (await summaryOf('sleeper'))?.state === 'idle',
    30_000,
    'the run to end',
  );
  assert.equal((await summaryOf('sleeper'))?.status, 'failure');
  const ended = (await statOf('sleeper')).taskStatHistory;
  assert.deepEqual(
    ended.map((s) => s.status),
    ['Fail'],
  );
  assert.equal(liveTasks().length, 0);
  const jobs = (await server.call('GET', '/jobs')).json as { name: string; errorCount: number }[];
  assert.equal(jobs.find((j) => j.name === 'sleeper')?.errorCount, 1);
});
