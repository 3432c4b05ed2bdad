// chronos-python (PyPI 1.2.1, unmodified), the Python client of Chronos' REST API, in a
// virtualenv this test creates, against a controller with a real agent and the schedules
// framework on the real clock: it adds a scheduled job and a job depending on it, runs
// the parent now, sees both succeed (real tasks writing real files), lists, searches,
// reads stats and the graph, and deletes both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScheduleFramework } from '../../../src/frameworks/schedules/schedule-framework.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { tempDir } from '../../support/cleanup.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { prerequisite } from '../../support/prereq.js';
import { createVenv, pythonVenvAvailable } from '../../support/python-venv.js';
import { startStack } from '../schedules/support.js';

interface Line {
  step: string;
  jobs?: unknown;
  names?: string[];
  epsilon?: string;
  refused?: boolean;
  message?: string;
  histogram?: { count: number };
  history?: { status: string; jobName: string; taskId: string }[];
  csv?: string;
}

test('chronos-python adds, runs, lists, searches and deletes jobs', async (t) => {
  if (!prerequisite(t, pythonVenvAvailable(), 'python3 with venv', 'apt-get install python3-venv'))
    return;
  const dir = tempDir('mezzo-chronos-py-');
  const venv = createVenv(join(dir, 'venv'));
  venv.pip(['install', 'chronos-python==1.2.1', 'httplib2==0.32.1', 'pyparsing==3.3.3']);

  const stack = await startStack();
  t.after(() => stack.stop());
  // The schedules framework as `mezzo dev` hosts it, on the real clock.
  const fw = new ScheduleFramework({
    address: stack.controller.grpcAddress,
    store: stack.store,
    logger: silentLogger(),
    clock: new SystemClock(),
  });
  await fw.start();
  t.after(() => fw.stop());

  const script = join(process.cwd(), 'test/integration/compat/chronos_client.py');
  const child = spawn(
    venv.python,
    [script, `127.0.0.1:${String(stack.controller.httpPort)}`, TEST_TOKEN, stack.dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
  const seen = () => `${out}\n${stderr.slice(-3000)}`;
  const step = (name: string): Line => {
    const l = lines.find((x) => x.step === name);
    assert.ok(l, `no step ${name}: ${seen()}`);
    return l;
  };
  assert.equal(code, 0, seen());

  assert.deepEqual(step('added').jobs, ['nightly-extract', 'nightly-load']);
  assert.equal(step('updated').epsilon, 'PT20M');
  assert.deepEqual(step('search').names, ['nightly-extract', 'nightly-load']);
  assert.deepEqual(step('search-command').names, ['nightly-load']);
  const orphan = step('orphan');
  assert.equal(orphan.refused, true);
  assert.match(orphan.message ?? '', /status 400.*unknown parent job/);
  // Both ran for real: the child read what the parent wrote.
  assert.equal(readFileSync(join(stack.dir, 'load.out'), 'utf8'), 'EXTRACTED\n');
  const jobs = step('succeeded').jobs as Record<
    string,
    { successCount: number; errorCount: number }
  >;
  assert.equal(jobs['nightly-extract']?.successCount, 1);
  assert.equal(jobs['nightly-load']?.successCount, 1);
  assert.equal(jobs['nightly-load'].errorCount, 0);
  const stat = step('stat');
  assert.equal(stat.histogram?.count, 1);
  assert.deepEqual(
    stat.history?.map((h) => `${h.jobName} ${h.status}`),
    ['nightly-load Success'],
  );
  assert.match(stat.history[0]?.taskId ?? '', /^schedule\.default\.nightly-load-/);
  assert.equal(
    step('graph').csv,
    'node,nightly-extract,success,idle\nnode,nightly-load,success,idle\nlink,nightly-extract,nightly-load\n',
  );
  assert.deepEqual(step('deleted').jobs, []);
  assert.deepEqual(await stack.store.list('Schedule'), []);
});
