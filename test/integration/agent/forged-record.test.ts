// A task owns its sandbox, so it can move the supervisor's `.mezzo/` aside and put a
// `.mezzo/supervisor` of its own there naming any pid as its own. A kill then signalled
// that pid's process group from the root agent: `task 1` would have been kill(-1). The
// agent signals a group only when its leader is in the task's cgroup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a pid a task forges in its sandbox is never signalled', async (t) => {
  if (!needCgroups(t)) return;
  // Outside every task: its own process group (pgid = pid), as another workload's would be.
  const victim = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  const pid = victim.pid;
  assert.ok(pid);
  const h = await startHarness();
  try {
    h.controller.launch(
      shellTask(
        'forger',
        `mv .mezzo .moved && mkdir .mezzo && printf 'task ${String(pid)}\\n' > .mezzo/supervisor && touch forged && exec sleep 300`,
      ),
    );
    await h.controller.waitForState('forger', 'TASK_RUNNING');
    // The forgery is in place once the task has made `forged` in its sandbox.
    const forged = () =>
      readdirSync(join(h.workDir, 'sandboxes')).some((d) =>
        existsSync(join(h.workDir, 'sandboxes', d, 'forged')),
      );
    await h.controller.waitFor(forged, 10_000, 'the forgery');
    h.controller.kill('forger', 'fw-1', 1);
    await h.controller.waitForState('forger', 'TASK_KILLED', 15_000);
    assert.equal(alive(pid), true, 'the forged pid was not signalled');
  } finally {
    victim.kill('SIGKILL');
    await h.cleanup();
  }
});
