// oldestPid (test/e2e/node/support.ts) names a task's long-lived process by start time, not
// by the lowest pid, which after a wrap past pid_max is a fresh child. Real processes here:
// two `sleep`s started 50 ms apart (start times are in clock ticks, 10 ms), given in both
// orders, with a pid that is not running mixed in; then, as root, a third `sleep` given a
// lower pid than the first by moving the kernel's last-pid counter back, as a wrap does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { oldestPid } from '../../e2e/node/support.js';

function pidOf(child: ChildProcess): number {
  assert.ok(child.pid !== undefined, 'spawned');
  return child.pid;
}

// The next pid is ns_last_pid + 1 unless taken (root only; the tests run as root).
function nextPidAfter(pid: number): void {
  writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid));
}

test('oldestPid picks the process that started first, whatever the pid order', async (t) => {
  nextPidAfter(20_000);
  const first = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => first.kill('SIGKILL'));
  await sleep(50);
  const second = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => second.kill('SIGKILL'));
  const [a, b] = [pidOf(first), pidOf(second)];
  const gone = spawn('true', { stdio: 'ignore' });
  const goneExited = new Promise((resolve) => gone.once('exit', resolve));
  const g = pidOf(gone);
  await goneExited;
  // A reaped `true` has no /proc entry; it is skipped, not taken as the oldest.
  const rows: { pids: number[]; want: number | undefined }[] = [
    { pids: [a, b], want: a },
    { pids: [b, a], want: a },
    { pids: [g, b, a], want: a },
    { pids: [b], want: b },
    { pids: [g], want: undefined },
    { pids: [], want: undefined },
  ];
  for (const { pids, want } of rows) {
    assert.equal(oldestPid(pids), want, `oldestPid(${JSON.stringify(pids)})`);
  }

  nextPidAfter(10_000);
  await sleep(50);
  const wrapped = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => wrapped.kill('SIGKILL'));
  const w = pidOf(wrapped);
  assert.ok(w < a, `the young sleep's pid ${String(w)} is below the first's ${String(a)}`);
  assert.equal(oldestPid([w, a, b]), a, 'the lowest pid is the youngest process');
});
