// The agent's side of the connection: reconnect with backoff after the controller goes
// away (updates produced meanwhile are delivered after re-registration), heartbeats both
// ways, a silent controller is abandoned, kills of unknown tasks, framework shutdown,
// and sandbox garbage collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, chmodSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeController, shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';
import { tempDir } from '../../support/cleanup.js';

test('reconnects after a controller restart and delivers updates produced meanwhile', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  const dir = tempDir('mezzo-conn-');
  chmodSync(dir, 0o755);
  let second: FakeController | undefined;
  try {
    const go = join(dir, 'go');
    h.controller.launch(shellTask('w', `while [ ! -f ${go} ]; do sleep 0.05; done; exit 4`));
    await h.controller.waitForState('w', 'TASK_RUNNING');
    const port = Number(h.controller.address.split(':')[1]);
    await h.controller.stop();
    await h.controller.waitFor(() => !h.agent.isRegistered, 5000, 'agent to notice');
    await writeFile(go, '');
    await new Promise((r) => setTimeout(r, 500));
    second = new FakeController('agent-1', 1);
    await second.start(port);
    const ctl = second;
    await ctl.waitFor(() => ctl.registrations === 1, 10_000, 're-registration');
    assert.equal(ctl.reregistrations.length, 1, 'an agent with an ID re-registers');
    assert.equal(ctl.reregistrations[0]?.latest_statuses[0]?.state, 'TASK_FAILED');
    const st = await ctl.waitForState('w', 'TASK_FAILED');
    assert.equal(st.exit_code, 4);
    assert.equal(st.sequence, 3);
    // Heartbeats both ways.
    ctl.send({ ping: { nonce: 77 } });
    await ctl.waitFor(() => ctl.pongs > 0 && ctl.pings > 0, 5000, 'ping/pong both ways');
  } finally {
    await second?.stop();
    await h.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a controller that stops answering is abandoned after 3 heartbeat intervals', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.mute = true;
    const t0 = Date.now();
    await h.controller.waitFor(() => h.controller.registrations >= 2, 10_000, 'a new registration');
    const took = Date.now() - t0;
    assert.ok(took >= 2500, `waited ${String(took)} ms (heartbeat 1 s x 3)`);
  } finally {
    await h.cleanup();
  }
});

test('kill of an unknown task, framework shutdown, sandbox GC', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness({ gcAgeSeconds: 0.5 });
  try {
    h.controller.kill('ghost');
    await h.controller.waitFor(
      () => h.controller.latest('ghost')?.state === 'TASK_DROPPED',
      5000,
      'TASK_DROPPED',
    );
    assert.equal(h.controller.latest('ghost')?.reason, 'REASON_TASK_UNKNOWN');

    h.controller.launch(shellTask('a', 'exec sleep 1000'), 'fw-x');
    h.controller.launch(shellTask('b', 'exec sleep 1000'), 'fw-x');
    h.controller.launch(shellTask('c', 'exec sleep 1000'), 'fw-y');
    for (const id of ['a', 'b', 'c']) await h.controller.waitForState(id, 'TASK_RUNNING');
    // Taken while the task runs: with a 0.5 s GC age the sandbox may be gone soon after the kill.
    const sb = h.agent.sandboxOf('a');
    assert.ok(sb && existsSync(sb));
    h.controller.send({ shutdown_framework: { framework_id: 'fw-x' } });
    for (const id of ['a', 'b']) {
      const st = await h.controller.waitForState(id, 'TASK_KILLED');
      assert.equal(st.reason, 'REASON_FRAMEWORK_REMOVED');
    }
    assert.equal(h.controller.latest('c')?.state, 'TASK_RUNNING');

    await h.controller.waitFor(
      () => !existsSync(sb),
      5000,
      'sandbox of a finished task to be collected',
    );
    assert.equal(h.agent.sandboxOf('a'), undefined);
    assert.ok(h.agent.sandboxOf('c'), 'running tasks are never collected');
  } finally {
    await h.cleanup();
  }
});
