// The launcher reaps a supervisor whose `exited` line was handled before it had exited.
// A supervisor writes that line and then exits; the agent's `reap` request, sent 200 ms
// after the line, can be handled in between, and then nothing reaped the supervisor until
// the next launch (CI: "a burst of 150 tasks" still had zombies 10 s after the last exit).
// Here the gap is made as wide as wanted: the line is handed to the launcher's reader
// while the real supervisor still runs (the answer pipe is a socket, which cannot be
// opened through /proc), and the supervisor is killed after that line's reap, without a
// word of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Launcher } from '../../../src/agent-sidecar/launcher.js';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { tempDir } from '../../support/cleanup.js';

/** The real launcher, with a way to hand its reader a line. */
class LineLauncher extends Launcher {
  line(text: string): void {
    this.onLine(text);
  }
}

/** Children of `pid` that are zombies. */
function zombiesOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state === 'Z') out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(what: string, cond: () => boolean, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('a supervisor that exits after its "exited" line was handled is still reaped', async (t) => {
  const sandbox = tempDir('mezzo-launcher-reap-');
  mkdirSync(join(sandbox, '.mezzo'));
  const launcher = new LineLauncher(silentLogger(), () => Promise.resolve(undefined));
  const pids: number[] = [];
  t.after(() => {
    pids.forEach(kill);
    launcher.close();
  });

  const sup = await launcher.start({
    sandbox,
    key: 'reap-1',
    uid: undefined,
    gid: undefined,
    procs: [],
    pidNamespace: false,
    env: {},
    argv: ['/bin/sleep', '1000'],
  });
  pids.push(sup.pid);
  const launcherPid = launcher.pid;
  assert.ok(launcherPid !== undefined, 'the launcher runs');
  const record = join(sandbox, '.mezzo', SUPERVISOR_FILE);
  const taskPid = (): number | undefined =>
    existsSync(record) ? parseSupervisorRecord(readFileSync(record, 'utf8')).taskPid : undefined;
  await until('the task to start', () => taskPid() !== undefined);
  pids.push(taskPid() ?? 0);

  // The supervisor's line, while it still runs; the agent settles the task on it.
  launcher.line('exited reap-1 0');
  assert.deepEqual(await sup.exited, { status: 0 });
  // Long past the reap that line asked for (200 ms): that reap found nothing to reap.
  await sleep(1000);
  assert.deepEqual(zombiesOf(launcherPid), [], 'nothing to reap yet');

  // Now the supervisor ends, without a line: no exit of its own asks for a reap.
  kill(sup.pid);
  await until(`the launcher to reap supervisor ${String(sup.pid)}`, () => {
    const stat = (() => {
      try {
        return readFileSync(`/proc/${String(sup.pid)}/stat`, 'utf8');
      } catch {
        return undefined;
      }
    })();
    return stat === undefined && zombiesOf(launcherPid).length === 0;
  });
});
