// The runner's leak check (test/support/leaks.ts) against a run of its own, nested in this
// test's run: it must find a process by each of its handles (the run marker, the temp
// dir in a cleared environment, a working directory in the temp dir, a cgroup), a
// cgroup and a temp entry; it must not name anything of another run, even one whose temp
// dir name starts with this run's; and removing must leave nothing.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeLeftovers,
  findLeftovers,
  isClean,
  removeLeftovers,
  runMarks,
  type RunMarks,
} from '../../support/leaks.js';
import { testCgroupRoot } from '../../support/cleanup.js';
import { RUN_VARIABLE } from '../../support/test-run.js';
import { cgroupsUsable } from '../agent/support/harness.js';

const children: ChildProcess[] = [];
const runs: RunMarks[] = [];
// Whatever a failed assertion left: the other run's things and anything not removed.
after(async () => {
  for (const m of runs) await removeLeftovers(m);
  for (const m of runs) rmSync(m.tmpDir, { recursive: true, force: true });
  for (const c of children) c.kill('SIGKILL');
});

function newRun(name: string): RunMarks {
  const m = runMarks(randomUUID(), join(tmpdir(), name), `${testCgroupRoot('leaks')}-`);
  runs.push(m);
  return m;
}

/** A `sleep` with exactly this environment and working directory. */
function sleeper(env: Record<string, string>, cwd = '/'): ChildProcess {
  const c = spawn('/bin/sleep', ['600'], { env, cwd, stdio: 'ignore' });
  children.push(c);
  return c;
}

function pidOf(c: ChildProcess): number {
  assert.ok(c.pid !== undefined, 'the child started');
  return c.pid;
}

/** A cgroup `<prefix>x/task` in the memory hierarchy with process `c` in it. */
function plantCgroup(m: RunMarks, c: ChildProcess): string {
  const root = join('/sys/fs/cgroup/memory', `${m.cgroupPrefix}x`);
  mkdirSync(join(root, 'task'), { recursive: true });
  writeFileSync(join(root, 'task', 'cgroup.procs'), String(pidOf(c)));
  return root;
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()));

test('the leak check finds what a run left by every handle, and only that', async (t: TestContext) => {
  // Planted in the v1 memory hierarchy; a v2-only host exercises the other handles.
  const withCgroups = cgroupsUsable() && existsSync('/sys/fs/cgroup/memory/cgroup.procs');
  const run = newRun(`leaks-${randomUUID().slice(0, 8)}`);
  // Another run whose temp dir name extends this run's: a prefix match would blame it.
  const other = newRun(`${run.tmpDir.split('/').pop() ?? ''}-other`);

  const marked = sleeper({ PATH: '/usr/bin:/bin', [RUN_VARIABLE]: run.id });
  const sandbox = join(run.tmpDir, 'sandbox');
  mkdirSync(sandbox);
  // A task: the agent clears its environment but names its sandbox in it.
  const task = sleeper({ MESOS_SANDBOX: sandbox });
  const inCwd = sleeper({}, sandbox);
  writeFileSync(join(run.tmpDir, 'left.txt'), 'x');

  const otherDir = join(other.tmpDir, 'sandbox');
  mkdirSync(otherDir);
  const notOurs = [
    sleeper({ [RUN_VARIABLE]: other.id }),
    sleeper({ MESOS_SANDBOX: otherDir }, otherDir),
  ];

  let cgroupTask: ChildProcess | undefined;
  let cgroup = '';
  if (withCgroups) {
    cgroupTask = sleeper({});
    cgroup = plantCgroup(run, cgroupTask);
    plantCgroup(other, sleeper({}));
  } else {
    t.diagnostic('not root with cgroups: the cgroup handle is not exercised');
  }

  const left = await findLeftovers(run, 0);
  const byPid = new Map(left.processes.map((p) => [p.pid, p.why]));
  assert.equal(byPid.get(pidOf(marked)), `${RUN_VARIABLE} in its environment`);
  assert.equal(byPid.get(pidOf(task)), 'the run temp dir in its environment');
  assert.equal(byPid.get(pidOf(inCwd)), 'working directory in the run temp dir');
  if (cgroupTask) assert.equal(byPid.get(pidOf(cgroupTask)), `in cgroup ${cgroup}`);
  // 3 planted by environment or directory, + 1 in a cgroup: nothing else, nothing of `other`.
  assert.equal(left.processes.length, cgroupTask ? 4 : 3, describeLeftovers(left).join('\n'));
  assert.deepEqual(left.cgroups, cgroupTask ? [cgroup] : []);
  assert.deepEqual(left.tempEntries, [join(run.tmpDir, 'left.txt'), sandbox]);
  const lines = describeLeftovers(left);
  assert.ok(
    lines.some((l) => l.startsWith(`process ${String(pidOf(marked))} `)),
    lines.join('\n'),
  );
  assert.ok(lines.includes(`temp ${join(run.tmpDir, 'left.txt')}`), lines.join('\n'));

  const still = await removeLeftovers(run);
  assert.ok(isClean(still), describeLeftovers(still).join('\n'));
  await Promise.all([marked, task, inCwd, ...(cgroupTask ? [cgroupTask] : [])].map(exited));
  assert.ok(isClean(await findLeftovers(run, 0)));

  // The other run's things are untouched: alive, and found by its own check.
  for (const c of notOurs) assert.equal(c.exitCode ?? c.signalCode, null);
  const theirs = await findLeftovers(other, 0);
  assert.equal(theirs.processes.length, cgroupTask ? 3 : 2, describeLeftovers(theirs).join('\n'));
});
