// marathon-python (PyPI `marathon` 0.13.0, unmodified, in a virtualenv this test creates)
// against `mezzo dev` as a real process with its real agent: the client creates an app
// (constraints in Marathon's array form), sees its two instances running, scales it to
// three, lists apps by label and tasks, kills a task and sees it replaced, kills one with
// scale=true and sees the app shrink, sees an instance that a hostname:UNIQUE constraint
// keeps off the only agent in the queue with its reject reason, deletes the
// app and sees it and its tasks gone, and reads the event stream all along
// (marathon_client.py prints one JSON line per step; this test checks them).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { devAuthHeader, devPrerequisite, spawnDev } from '../../support/dev-process.js';
import { prerequisite } from '../../support/prereq.js';
import { createVenv, pythonVenvAvailable } from '../../support/python-venv.js';
import { waitFor } from '../apps/support.js';

const script = fileURLToPath(
  new URL('../../../../test/integration/compat/marathon_client.py', import.meta.url),
);
const cgroupRoot = testCgroupRoot('marathon');

// Tasks outlive `mezzo dev` by design: kill what this test started and remove its cgroups.
after(() => cleanCgroupTrees(cgroupRoot));

/** Runs the script to its end; its stdout lines and exit code. */
function runScript(
  python: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      resolve({ code, out, err });
    });
  });
}

test('marathon-python creates, scales, lists, kills a task of and deletes an app', async (t) => {
  if (!devPrerequisite(t)) return;
  if (
    !prerequisite(
      t,
      pythonVenvAvailable(),
      'python3 with venv and ensurepip',
      'apt-get install python3-venv',
    )
  )
    return;
  const venv = createVenv(join(tempDir('mezzo-marathon-venv-'), 'venv'));
  venv.pip(['install', 'marathon==0.13.0']);

  const dev = await spawnDev({ cgroupRoot, workDir: tempDir('mezzo-marathon-dev-') });
  try {
    await waitFor(
      () =>
        dev
          .fetch('/ping')
          .then((r) => r.ok)
          .catch(() => false),
      20_000,
      () => `mezzo dev to come up: ${dev.output.slice(-2000)}`,
    );
    const token = devAuthHeader(dev.workDir).authorization.replace(/^Bearer /, '');
    const r = await runScript(venv.python, { MARATHON_URL: dev.server, MEZZO_TOKEN: token });
    assert.equal(r.code, 0, `marathon_client.py failed:\n${r.err.slice(-4000)}\n${r.out}`);
    const steps = new Map<string, Record<string, unknown>>();
    for (const line of r.out.split('\n').filter((l) => l.startsWith('{'))) {
      const o = JSON.parse(line) as Record<string, unknown>;
      steps.set(String(o.step), o);
    }
    assert.equal(steps.get('ping')?.answer, 'pong');
    assert.deepEqual(steps.get('created'), {
      step: 'created',
      id: '/compat/sleeper',
      instances: 2,
    });
    assert.equal(steps.get('running')?.tasks_running, 2);
    assert.deepEqual(steps.get('scaled'), { step: 'scaled', instances: 3, tasks_running: 3 });
    assert.deepEqual(steps.get('listed')?.ids, ['/compat/sleeper']);
    assert.equal(steps.get('tasks')?.app_tasks, 3);
    assert.equal(steps.get('tasks')?.state, 'TASK_RUNNING');
    const killed = String(steps.get('killed')?.id);
    assert.match(killed, /^default\.compat\.sleeper\./);
    const replaced = steps.get('replaced')?.ids as string[];
    assert.equal(replaced.length, 3);
    assert.equal(replaced.includes(killed), false);
    assert.deepEqual(steps.get('scaled_down'), {
      step: 'scaled_down',
      instances: 2,
      tasks_running: 2,
    });
    assert.deepEqual(steps.get('queued'), {
      step: 'queued',
      count: 1,
      reasons: ['UnfulfilledConstraint'],
    });
    assert.deepEqual(steps.get('spared'), { step: 'spared', killed: 0, running: 1 });
    assert.deepEqual(steps.get('wrong_app'), { step: 'wrong_app', refused: true, running: true });
    assert.deepEqual(steps.get('deleted')?.apps, []);
    const events = steps.get('events') ?? {};
    assert.deepEqual(events.types, ['api_post_event', 'deployment_info', 'status_update_event']);
    // Every instance that ran was reported running on the stream, the killed one too.
    assert.ok((events.running as string[]).includes(killed));
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));
});
