// The pool of emptied cgroup v1 memory and pids cgroups (cgroup-pool.ts; off by default,
// turned on here with cgroupPoolSize), on real cgroups
// with real tasks: a finished task's cgroup is renamed for the next task (same kernfs
// inode), which gets its own limits and none of the last task's usage peak or fail count;
// an OOM-killed task's cgroup is never reused (its kill would be reported for the next
// task); a root task's cgroup is not pooled; a pooled cgroup that gained a process is
// never handed out; the pool is bounded, emptied at stop, and a crashed agent's pooled
// cgroups are removed at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../../../src/agent-sidecar/agent.js';
import { taskKey } from '../../../src/agent-sidecar/task-record.js';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness, type Harness } from './support/harness.js';

/** The v1 mount of `controller` (memory, pids…), from /proc/self/mounts. */
function mountOf(controller: string): string {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, path, type, opts] = line.split(' ');
    if (type === 'cgroup' && path && opts?.split(',').includes(controller)) return path;
  }
  throw new Error(`no cgroup v1 ${controller} hierarchy`);
}

const memRoot = (h: Harness): string => join(mountOf('memory'), h.config.cgroupRoot);
const pidsRoot = (h: Harness): string => join(mountOf('pids'), h.config.cgroupRoot);
const pooled = (root: string): string[] =>
  existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('pool+')) : [];
const memDir = (h: Harness, id: string): string => join(memRoot(h), taskKey('fw-1', id));
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8').trim();

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function v1(t: Parameters<typeof needCgroups>[0]): boolean {
  if (!needCgroups(t)) return false;
  if (!readFileSync('/proc/self/mounts', 'utf8').includes(' cgroup ')) {
    t.skip('the pool is cgroup v1 only');
    return false;
  }
  return true;
}

test('a reused cgroup: same inode, the next task limits, no earlier peak or fail count', async (t) => {
  if (!v1(t)) return;
  const h = await startHarness({ cgroupPoolSize: 64 });
  try {
    // 32 MiB touched under a 64 MiB limit: a usage peak of at least 32 MiB.
    h.controller.launch(shellTask('a', 'dd if=/dev/zero of=/dev/null bs=32M count=1', { mem: 64 }));
    await h.controller.waitForState('a', 'TASK_FINISHED', 20_000);
    await until('a pooled cgroup', () => pooled(memRoot(h)).length === 1);
    const [p = ''] = pooled(memRoot(h));
    const ino = statSync(join(memRoot(h), p)).ino;
    // Reset to what is charged now: kernel objects force_empty does not reclaim.
    const peak = Number(read(join(memRoot(h), p), 'memory.max_usage_in_bytes'));
    assert.ok(peak < 1048576, `peak reset: ${String(peak)}`);
    // A higher memory limit than the last task's: memory+swap must be raised first.
    h.controller.launch(shellTask('b', 'exec sleep 60', { mem: 128, cpus: 0.5 }));
    await h.controller.waitForState('b', 'TASK_RUNNING');
    const b = memDir(h, 'b');
    assert.equal(statSync(b).ino, ino, "b runs in a's renamed memory cgroup");
    assert.deepEqual(pooled(memRoot(h)), []);
    assert.equal(read(b, 'memory.limit_in_bytes'), String(128 * 1048576));
    if (existsSync(join(b, 'memory.memsw.limit_in_bytes')))
      assert.equal(read(b, 'memory.memsw.limit_in_bytes'), String(128 * 1048576));
    assert.ok(Number(read(b, 'memory.max_usage_in_bytes')) < 32 * 1048576, "not a's peak");
    assert.equal(read(b, 'memory.failcnt'), '0');
    assert.equal(read(join(pidsRoot(h), taskKey('fw-1', 'b')), 'pids.max'), '1024');
    const cpu = join(mountOf('cpu'), h.config.cgroupRoot, taskKey('fw-1', 'b'));
    assert.equal(read(cpu, 'cpu.cfs_quota_us'), '50000');
    const stats = await h.agent.taskStats('b');
    assert.ok(stats && stats.memUsageBytes < 32 * 1048576 && stats.oomKills === 0);
    assert.equal(stats.memLimitBytes, 128 * 1048576);
  } finally {
    await h.cleanup();
  }
});

test("an OOM-killed task's cgroup is not reused: the next task is not reported OOM", async (t) => {
  if (!v1(t)) return;
  const h = await startHarness({ cgroupPoolSize: 64 });
  try {
    h.controller.launch(
      shellTask('oom', 'dd if=/dev/zero of=/dev/null bs=256M count=1', { mem: 64 }),
    );
    const st = await h.controller.waitForState('oom', 'TASK_FAILED', 20_000);
    assert.equal(st.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
    await until('the OOM cgroup removed', () => !existsSync(memDir(h, 'oom')));
    assert.deepEqual(pooled(memRoot(h)), [], 'not pooled');
    h.controller.launch(shellTask('next', 'true', { mem: 64 }));
    const next = await h.controller.waitForState('next', 'TASK_FINISHED', 20_000);
    assert.equal(next.state, 'TASK_FINISHED');
  } finally {
    await h.cleanup();
  }
});

test("a root task's cgroup is not pooled", async (t) => {
  if (!v1(t)) return;
  const h = await startHarness({ allowRoot: true, cgroupPoolSize: 64 });
  try {
    h.controller.launch(shellTask('r', 'true'), 'fw-1', 'root');
    await h.controller.waitForState('r', 'TASK_FINISHED');
    await until('the root task cgroup removed', () => !existsSync(memDir(h, 'r')));
    assert.deepEqual(pooled(memRoot(h)), []);
  } finally {
    await h.cleanup();
  }
});

test('a pooled cgroup that gained a process is removed, its process killed, never handed out', async (t) => {
  if (!v1(t)) return;
  const h = await startHarness({ cgroupPoolSize: 64 });
  const intruder = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    h.controller.launch(shellTask('a', 'true'));
    await h.controller.waitForState('a', 'TASK_FINISHED');
    await until('a pooled cgroup', () => pooled(memRoot(h)).length === 1);
    const [p = ''] = pooled(memRoot(h));
    const ino = statSync(join(memRoot(h), p)).ino;
    writeFileSync(join(memRoot(h), p, 'cgroup.procs'), String(intruder.pid));
    const gone = new Promise((r) => intruder.once('exit', r));
    h.controller.launch(shellTask('c', 'exec sleep 60'));
    await h.controller.waitForState('c', 'TASK_RUNNING');
    assert.notEqual(statSync(memDir(h, 'c')).ino, ino, 'a fresh cgroup');
    await gone;
    assert.ok(!existsSync(join(memRoot(h), p)), 'the busy pooled cgroup is removed');
  } finally {
    intruder.kill('SIGKILL');
    await h.cleanup();
  }
});

test('the pool is bounded, emptied at stop, and a crashed agent leftovers are removed at start', async (t) => {
  if (!v1(t)) return;
  const h = await startHarness({ cgroupPoolSize: 1 });
  let second: Agent | undefined;
  const leftover = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    for (const id of ['x', 'y', 'z'])
      h.controller.launch(shellTask(id, 'touch ready; exec sleep 60'));
    for (const id of ['x', 'y', 'z']) {
      await h.controller.waitForState(id, 'TASK_RUNNING');
      // The task runs (a kill that comes before its process exists is not this test's).
      await until(`${id} started`, () => existsSync(join(h.agent.sandboxOf(id) ?? '', 'ready')));
    }
    for (const id of ['x', 'y', 'z']) h.controller.kill(id, 'fw-1', 0);
    for (const id of ['x', 'y', 'z']) await h.controller.waitForState(id, 'TASK_KILLED');
    await until('every cgroup pooled or removed', () =>
      ['x', 'y', 'z'].every((id) => !existsSync(memDir(h, id))),
    );
    assert.equal(pooled(memRoot(h)).length, 1, 'at most cgroupPoolSize kept');
    assert.equal(pooled(pidsRoot(h)).length, 1);
    await h.agent.stop();
    assert.deepEqual(pooled(memRoot(h)), [], 'emptied at stop');
    assert.deepEqual(pooled(pidsRoot(h)), []);
    // What a crashed agent leaves: pooled cgroups, one with a process in it.
    for (const root of [memRoot(h), pidsRoot(h)]) mkdirSync(join(root, 'pool+7'));
    writeFileSync(join(memRoot(h), 'pool+7', 'cgroup.procs'), String(leftover.pid));
    const gone = new Promise((r) => leftover.once('exit', r));
    second = new Agent(h.config);
    await second.start();
    assert.deepEqual(pooled(memRoot(h)), [], 'removed at start');
    assert.deepEqual(pooled(pidsRoot(h)), []);
    await gone;
  } finally {
    leftover.kill('SIGKILL');
    if (second) {
      await second.stop();
      await second.destroyAllTasks();
    }
    await h.cleanup();
  }
});
