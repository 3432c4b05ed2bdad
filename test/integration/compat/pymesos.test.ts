// pymesos (PyPI 0.3.15, unmodified), the pure-Python Mesos scheduler driver, runs a tiny
// framework against a real controller and agent: it registers, launches a task from an
// offer, sees TASK_FINISHED (acknowledging each update implicitly, as pymesos does),
// reconciles it and tears the framework down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { until } from '../controller/support.js';
import { jsonLines, startCluster } from './support.js';
import { tempDir } from '../../support/cleanup.js';
import { prerequisite } from '../../support/prereq.js';
import { createVenv, pythonVenvAvailable, type Venv } from '../../support/python-venv.js';
import { TEST_TOKEN } from '../../support/auth.js';

function installPymesos(venv: Venv, scratch: string): void {
  venv.pip(['install', '--no-deps', 'pymesos==0.3.15', 'six==1.17.0', 'addict==2.4.0']);
  // pymesos parses HTTP with http-parser, whose pre-generated C extension no longer
  // compiles against current Python headers: its own pure-Python parser (the one it
  // uses on PyPy, and falls back to by itself) is installed from its source package.
  venv.pip(['download', '--no-deps', '--no-binary', ':all:', '-d', scratch, 'http-parser==0.9.0']);
  execFileSync('tar', ['xzf', join(scratch, 'http-parser-0.9.0.tar.gz'), '-C', scratch]);
  cpSync(
    join(scratch, 'http-parser-0.9.0', 'http_parser'),
    join(venv.sitePackages(), 'http_parser'),
    {
      recursive: true,
      filter: (src) => !/\.(c|h|so|pyx|gyp)$/.test(src),
    },
  );
}

interface Line {
  event: string;
  state?: string;
  task?: string;
  framework_id?: string;
}

test('pymesos launches a task and sees it finish', async (t) => {
  if (!prerequisite(t, pythonVenvAvailable(), 'python3 with venv', 'apt-get install python3-venv'))
    return;
  const dir = tempDir('mezzo-pymesos-');
  const venv = createVenv(join(dir, 'venv'));
  installPymesos(venv, join(dir, 'dl'));
  assert.ok(readdirSync(join(venv.sitePackages(), 'pymesos')).includes('scheduler.py'));

  const cluster = await startCluster('pymesos-a', 'cpus:1;mem:256');
  t.after(() => cluster.stop());
  const controller = cluster.controller;

  const script = join(process.cwd(), 'test/integration/compat/pymesos_framework.py');
  const child = spawn(
    venv.python,
    [script, `127.0.0.1:${String(controller.httpPort)}`, 'py-task-1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // pymesos sends these as HTTP Basic credentials; the secret is the token.
      env: { ...process.env, MESOS_PRINCIPAL: 'pymesos-test', MESOS_SECRET: TEST_TOKEN },
    },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const { code, lines, stderr } = await jsonLines<Line>(child, 90_000);
  const seen = () => `${JSON.stringify(lines)}\n${stderr.slice(-3000)}`;
  assert.equal(code, 0, seen());

  const fwId = lines.find((l) => l.event === 'registered')?.framework_id;
  assert.ok(fwId, `registered: ${seen()}`);
  const states = lines
    .filter((l) => l.event === 'update' && l.task === 'py-task-1')
    .map((l) => l.state);
  assert.ok(states.includes('TASK_RUNNING'), seen());
  assert.ok(states.includes('TASK_FINISHED'), seen());
  assert.equal(lines.find((l) => l.event === 'reconciled')?.state, 'TASK_FINISHED', seen());
  assert.equal(lines.at(-1)?.event, 'stopped');
  // pymesos' stop() sends TEARDOWN: the framework is gone from the controller.
  await until(() => !controller.core.frameworks.has(fwId), 10_000, 'the teardown');
});
