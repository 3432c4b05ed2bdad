// A kill that arrives after the agent reported a task RUNNING but before its supervisor
// has forked the task's process. RUNNING goes out once the supervisor exists; the
// supervisor then joins the task's cgroups and forks. A signal sent in between reaches no
// process, and with no grace period nothing sent a second: the task ran on. Here the gap
// is held open for as long as wanted: the supervisor's first cgroup join is a FIFO that
// the test reads only after the kill has been handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCgroups, type Cgroups } from '../../../src/agent-sidecar/cgroups.js';
import { tempDir } from '../../support/cleanup.js';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness, uniqueCgroupRoot } from './support/harness.js';

/** The detected cgroups driver, whose supervisors first write to `fifo` to join. */
function gated(root: string, fifo: string): Cgroups {
  const real = detectCgroups(root);
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'procsFiles') return (name: string) => [fifo, ...target.procsFiles(name)];
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

test('a kill with no grace between RUNNING and the fork still kills the task', async (t) => {
  if (!needCgroups(t)) return;
  const fifo = join(tempDir('mezzo-fork-gate-'), 'gate');
  execFileSync('mkfifo', [fifo]);
  const cgroupRoot = uniqueCgroupRoot();
  const h = await startHarness({ cgroupRoot }, { cgroups: gated(cgroupRoot, fifo) });
  try {
    h.controller.launch(shellTask('held', 'exec sleep 300'));
    await h.controller.waitForState('held', 'TASK_RUNNING');
    h.controller.kill('held', 'fw-1', 0);
    // The kill is handled (its SIGTERM and, at no grace, its SIGKILL find no process).
    await sleep(300);
    assert.deepEqual(
      h.controller.states('held').filter((s) => s !== 'TASK_RUNNING' && s !== 'TASK_STARTING'),
      [],
      'nothing ended yet: the supervisor waits at the gate',
    );
    // The supervisor goes on: joins the cgroups and forks `sleep 300`.
    assert.equal((await readFile(fifo, 'utf8')).trim(), '0');
    const end = await h.controller.waitForState('held', 'TASK_KILLED', 10_000);
    assert.equal(end.state, 'TASK_KILLED');
  } finally {
    await h.cleanup();
  }
});
