// Sandbox reads cannot escape the sandbox (issue 13): a task (running as `nobody`, which
// owns its sandbox) replaces its stdout or stderr with a symlink to a file outside — the
// agent reads as root — and asks for it through the controller's /logs. The answer is an
// error naming the refusal, never the file's bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import { needCgroups } from '../agent/support/harness.js';
import {
  acceptFirstOffer,
  agentTasks,
  framework,
  launch,
  startAgent,
  startController,
  until,
} from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { authHeader } from '../../support/auth.js';

let controller: Controller;
let agent: Agent;
const cleanup: (() => Promise<void> | void)[] = [];
/** A root-only file outside every sandbox. */
const secret = join(tempDir('mezzo-escape-secret-'), 'secret');

before(async () => {
  writeFileSync(secret, 'TOP-SECRET\n', { mode: 0o600 });
  ({ controller } = await startController(tempDir('mezzo-escape-ctl-')));
  cleanup.push(() => controller.stop());
  agent = await startAgent(
    controller.grpcAddress,
    'cpus:2;mem:512',
    'escape1',
    '',
    tempDir('mezzo-escape-agent-'),
    testCgroupRoot('escape'),
  );
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
});
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** GET /logs for the task's file: status and body. */
async function logs(task: string, file: string): Promise<{ status: number; body: string }> {
  const res = await fetch(
    `http://127.0.0.1:${String(controller.httpPort)}/logs?task=${task}&file=${file}`,
    { headers: authHeader() },
  );
  return { status: res.status, body: await res.text() };
}

test('a task cannot read files outside its sandbox through /logs', async (t) => {
  if (!needCgroups(t)) return;
  // [task, what it does to its sandbox, the file asked for, the refusal]
  const cases: [string, string, string, RegExp][] = [
    ['shadow', 'rm -f stdout; ln -s /etc/shadow stdout', 'stdout', /stdout is a symlink; refused/],
    ['secret', `rm -f stderr; ln -s ${secret} stderr`, 'stderr', /stderr is a symlink; refused/],
    ['dangling-dir', 'rm -f stdout; mkdir stdout', 'stdout', /stdout is not a regular file/],
    ['fifo', 'rm -f stderr; mkfifo stderr', 'stderr', /stderr is not a regular file/],
  ];
  const fw = framework(controller.grpcAddress, 'escapes', ['r']);
  cleanup.push(() => fw.close());
  acceptFirstOffer(fw, (agentId) =>
    cases.map(([id, act]) => launch(id, agentId, `${act}; touch done; exec sleep 60`, 0.1, 16)),
  );
  await fw.start();
  for (const [id, , file, refusal] of cases) {
    // The task has replaced its file once `done` exists.
    await until(
      () => controller.core.tasks.get(id)?.state === 'TASK_RUNNING',
      15_000,
      `${id} running`,
    );
    const sandbox = (await agentTasks(agent)).find((x) => x.taskId === id)?.sandbox ?? '';
    await until(() => existsSync(join(sandbox, 'done')), 10_000, `${id} done`);
    const done = await logs(id, file);
    assert.equal(done.status, 502, `${id}: ${done.body}`);
    assert.match(done.body, refusal, id);
    assert.doesNotMatch(done.body, /TOP-SECRET|root:/, `${id}: no byte of the target`);
  }
});
