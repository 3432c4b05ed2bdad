// On cgroup v1 a task leaves the agent's cgroups in the hierarchies Mezzo does not limit
// (devices, freezer, …): a container runtime that stops the agent's container kills what
// is still in them (runc signals the container's devices cgroup), so a task left there
// would die with the agent's pod. The agent here runs in a devices cgroup of its own, as
// it would in its pod; its task must end up in the hierarchy's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCgroupRoot } from '../../support/cleanup.js';
import { needCgroups, startHarness } from './support/harness.js';
import { shellTask } from './support/fake-controller.js';

/** The cgroup path of `pid` in the v1 hierarchy that has `controller`. */
function cgroupOf(pid: number, controller: string): string | undefined {
  for (const line of readFileSync(`/proc/${String(pid)}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes(controller)) return path;
  }
  return undefined;
}

test("a task leaves the agent's devices and freezer cgroups for the hierarchies' roots", async (t) => {
  if (!needCgroups(t)) return;
  const hierarchies = ['devices', 'freezer'].filter((h) => existsSync(`/sys/fs/cgroup/${h}`));
  if (hierarchies.length === 0) {
    t.skip('cgroup v2 only: a task has one cgroup, its own');
    return;
  }
  const own = testCgroupRoot('leave');
  for (const h of hierarchies) {
    mkdirSync(join('/sys/fs/cgroup', h, own));
    writeFileSync(join('/sys/fs/cgroup', h, own, 'cgroup.procs'), String(process.pid));
  }
  const h = await startHarness();
  try {
    for (const c of hierarchies) assert.equal(cgroupOf(process.pid, c), `/${own}`);
    h.controller.launch(shellTask('stay', 'sleep 30', { mem: 32 }));
    await h.controller.waitForState('stay', 'TASK_RUNNING');
    const memDir = join('/sys/fs/cgroup/memory', h.config.cgroupRoot);
    const read = () =>
      readFileSync(join(memDir, readTaskDir(memDir), 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map(Number);
    // RUNNING is reported once the supervisor is spawned; it joins its cgroups just after.
    let procs = read();
    for (let i = 0; procs.length < 2 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      procs = read();
    }
    assert.ok(procs.length > 0, 'the task runs in its memory cgroup');
    for (const pid of procs) {
      for (const c of hierarchies) assert.equal(cgroupOf(pid, c), '/', `pid ${String(pid)} ${c}`);
      assert.match(cgroupOf(pid, 'memory') ?? '', new RegExp(h.config.cgroupRoot));
    }
  } finally {
    // Back to the roots before the cleanup kills what is left in the test's cgroups.
    for (const c of hierarchies) {
      writeFileSync(join('/sys/fs/cgroup', c, 'cgroup.procs'), String(process.pid));
    }
    await h.cleanup();
  }
});

/** The one task cgroup under the agent's root. */
function readTaskDir(memDir: string): string {
  const dir = readdirSync(memDir, { withFileTypes: true }).find((d) => d.isDirectory());
  assert.ok(dir, 'a task cgroup exists');
  return dir.name;
}
