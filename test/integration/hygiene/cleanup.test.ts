// test/support/cleanup.ts removes what a test file made through it (temp dirs, cgroup
// roots and the processes in them) when the file's process ends, even after a failed
// test: a fixture test file makes them and fails, and the leak check of a run of its own
// finds nothing left.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../support/cleanup.js';
import {
  describeLeftovers,
  findLeftovers,
  removeLeftovers,
  runEnv,
  runMarks,
  type RunMarks,
} from '../../support/leaks.js';
import { readProcStat } from '../../../src/agent-sidecar/procfs.js';
import { cgroupsUsable } from '../agent/support/harness.js';

const fixture = fileURLToPath(new URL('./fixtures/failing-leaker.js', import.meta.url));
let run: RunMarks | undefined;
// Should the cleanup under test fail, this test's run must not keep what it left.
after(async () => {
  if (run) await removeLeftovers(run);
});

/** Whether `pid` is gone (or dead and waiting to be reaped) within 5 s of being killed. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const st = await readProcStat(pid);
    if (!st || st.state === 'Z') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('a failed test file leaves no temp dir, cgroup or process behind', async () => {
  // The fixture plants in the v1 memory hierarchy.
  const withCgroups = cgroupsUsable() && existsSync('/sys/fs/cgroup/memory/cgroup.procs');
  run = runMarks(randomUUID(), tempDir('nested-run-'));
  // Without NODE_TEST_CONTEXT, which would make the nested runner report to this one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', fixture], {
    encoding: 'utf8',
    env: { ...env, ...runEnv(run), LEAKER_CGROUPS: withCgroups ? '1' : '0' },
  });
  assert.notEqual(r.status, 0, 'the fixture test fails');
  assert.match(r.stdout, /deliberate failure/);
  // What it made: a temp dir, and as root a cgroup with a process in it.
  const made = [...r.stdout.matchAll(/made (\S+)(?: pid (\d+))?/g)];
  assert.equal(made.length, withCgroups ? 2 : 1, r.stdout);
  for (const [, path, pid] of made) {
    assert.ok(path && !existsSync(path), `${path ?? '?'} removed`);
    if (pid) assert.ok(await gone(Number(pid)), `process ${pid} killed`);
  }
  const left = await findLeftovers(run);
  assert.deepEqual(describeLeftovers(left), []);
});
