// The task launcher (src/agent-sidecar/launcher.ts): a burst of real tasks at once all
// end with their own exit status, in order STARTING, RUNNING, terminal; the task's environment
// reaches only the task (a PATH it sets cannot choose what runs as root); a supervisor
// killed from outside and a launcher killed under running tasks are both noticed; the
// launcher leaves no zombies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needCgroups, startHarness } from './support/harness.js';
import { shellTask } from './support/fake-controller.js';
import { taskKey } from '../../../src/agent-sidecar/task-record.js';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';

/** Pids of this process's children whose command line names the launcher. */
function launcherPids(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('mezzo-launcher'))
        out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Zombie children of `pid`. */
function zombiesOf(pid: number): number {
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state === 'Z') n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

test('a burst of 150 tasks launched at once all end with their own status', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness({ launchConcurrency: 16 });
  try {
    const cases = [
      { cmd: 'true', state: 'TASK_FINISHED', exit: 0 },
      { cmd: 'exit 3', state: 'TASK_FAILED', exit: 3 },
      { cmd: 'kill -9 $$', state: 'TASK_FAILED', exit: 137 },
    ];
    const ids = Array.from({ length: 150 }, (_, i) => `b-${String(i)}`);
    ids.forEach((id, i) => {
      const c = cases[i % cases.length];
      if (c) h.controller.launch(shellTask(id, c.cmd, { cpus: 0.01, mem: 8 }));
    });
    await h.controller.waitFor(
      () => ids.every((id) => h.controller.states(id).length >= 3),
      120_000,
      'every burst task terminal',
    );
    ids.forEach((id, i) => {
      const c = cases[i % cases.length];
      assert.deepEqual(h.controller.states(id), ['TASK_STARTING', 'TASK_RUNNING', c?.state], id);
      assert.equal(h.controller.latest(id)?.exit_code, c?.exit, id);
    });
    const [launcher] = launcherPids();
    assert.ok(launcher !== undefined, 'the launcher runs as a child of the agent');
    // The launcher reaps its supervisors as they end; none is left a zombie.
    await h.controller.waitFor(() => zombiesOf(launcher) === 0, 10_000, 'no zombies');
  } finally {
    await h.cleanup();
  }
});

test("a task's PATH reaches the task only, not the programs that run as root", async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // Programs named like the tools the supervisor runs as root, each leaving a mark.
    const evil = join(h.workDir, 'evil');
    mkdirSync(evil);
    chmodSync(evil, 0o755);
    const marks = join(h.workDir, 'marks');
    for (const tool of ['setsid', 'setpriv', 'unshare', 'env']) {
      writeFileSync(
        join(evil, tool),
        `#!/bin/sh\necho "${tool} $(id -u)" >> ${marks}\nexec /usr/bin/${tool} "$@"\n`,
      );
      chmodSync(join(evil, tool), 0o755);
    }
    const task = shellTask('path', '', {
      extra: {
        command: {
          shell: true,
          value: 'echo "$PATH"; id -u',
          environment: { PATH: `${evil}:/usr/bin:/bin` },
        },
      },
    });
    h.controller.launch(task, 'fw-1', 'nobody');
    await h.controller.waitForState('path', 'TASK_FINISHED');
    const out = await readFile(
      join(h.workDir, 'sandboxes', taskKey('fw-1', 'path'), 'stdout'),
      'utf8',
    );
    assert.equal(
      out,
      `${evil}:/usr/bin:/bin\n65534\n`,
      'the task sees its PATH and runs as nobody',
    );
    assert.equal(existsSync(marks), false, existsSync(marks) ? readFileSync(marks, 'utf8') : '');
  } finally {
    await h.cleanup();
  }
});

test('a task runs with only its own uid and gid, no capabilities and only fds 0-2', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    // /proc/self is the grep and the ls themselves: what the task's program was given.
    const task = shellTask(
      'ids',
      'grep -E "^(Uid|Gid|Groups|CapPrm|CapEff|CapAmb):" /proc/self/status; exec ls /proc/self/fd',
    );
    h.controller.launch(task, 'fw-1', 'nobody');
    await h.controller.waitForState('ids', 'TASK_FINISHED');
    const out = await readFile(
      join(h.workDir, 'sandboxes', taskKey('fw-1', 'ids'), 'stdout'),
      'utf8',
    );
    const lines = out.trim().split('\n');
    const field = (name: string): string[] =>
      (lines.find((l) => l.startsWith(`${name}:`)) ?? `${name}: missing`)
        .slice(name.length + 1)
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
    const cases: [string, string[]][] = [
      ['Uid', ['65534', '65534', '65534', '65534']], // real, effective, saved, fs
      ['Gid', ['65534', '65534', '65534', '65534']],
      ['CapPrm', ['0000000000000000']],
      ['CapEff', ['0000000000000000']],
      ['CapAmb', ['0000000000000000']],
    ];
    for (const [name, want] of cases) assert.deepEqual(field(name), want, `${name} in\n${out}`);
    // No supplementary group but the task's own gid (root's group 0 is gone).
    assert.ok(
      field('Groups').every((g) => g === '65534'),
      `Groups: ${field('Groups').join(' ')}`,
    );
    // ls's own directory descriptor is 3; nothing of the agent's or the launcher's.
    const fds = lines.filter((l) => /^\d+$/.test(l)).map(Number);
    assert.deepEqual(fds, [0, 1, 2, 3], out);
  } finally {
    await h.cleanup();
  }
});

test('a supervisor killed from outside ends its task FAILED / EXECUTOR_TERMINATED', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.launch(shellTask('sup', 'exec sleep 60'));
    await h.controller.waitForState('sup', 'TASK_RUNNING');
    const sandbox = join(h.workDir, 'sandboxes', taskKey('fw-1', 'sup'));
    // RUNNING is reported once the supervisor is forked; it records its pid just after,
    // as the first line of its one file (no supervisor.pid, task.pid or exit files).
    const file = join(sandbox, '.mezzo', SUPERVISOR_FILE);
    let pid: number | undefined;
    await h.controller.waitFor(
      () => {
        pid = existsSync(file)
          ? parseSupervisorRecord(readFileSync(file, 'utf8')).taskPid
          : undefined;
        return pid !== undefined;
      },
      10_000,
      'the supervisor recorded the task',
    );
    assert.deepEqual(readdirSync(join(sandbox, '.mezzo')), [SUPERVISOR_FILE]);
    pid = parseSupervisorRecord(readFileSync(file, 'utf8')).supervisorPid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    const st = await h.controller.waitForState('sup', 'TASK_FAILED', 15_000);
    assert.equal(st.reason, 'REASON_EXECUTOR_TERMINATED');
  } finally {
    await h.cleanup();
  }
});

test('tasks outlive a killed launcher: their exits still arrive, and the next launch works', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.launch(shellTask('long', 'sleep 1; exit 4'));
    await h.controller.waitForState('long', 'TASK_RUNNING');
    const [launcher] = launcherPids();
    assert.ok(launcher !== undefined);
    process.kill(launcher, 'SIGKILL');
    const st = await h.controller.waitForState('long', 'TASK_FAILED', 15_000);
    assert.equal(st.exit_code, 4);
    h.controller.launch(shellTask('after', 'true'));
    await h.controller.waitForState('after', 'TASK_FINISHED');
    assert.notEqual(launcherPids()[0], launcher, 'a new launcher was started');
  } finally {
    await h.cleanup();
  }
});

test('a kill for a launch still waiting for its slot ends it KILLED_DURING_LAUNCH', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness({ launchConcurrency: 1 });
  try {
    const ids = Array.from({ length: 10 }, (_, i) => `q-${String(i)}`);
    for (const id of ids) h.controller.launch(shellTask(id, 'true', { cpus: 0.01, mem: 8 }));
    h.controller.kill('q-9');
    const st = await h.controller.waitForState('q-9', 'TASK_KILLED', 60_000);
    assert.equal(st.reason, 'REASON_TASK_KILLED_DURING_LAUNCH');
    assert.deepEqual(h.controller.states('q-9'), ['TASK_STARTING', 'TASK_KILLED']);
    for (const id of ids.slice(0, 9)) await h.controller.waitForState(id, 'TASK_FINISHED', 60_000);
  } finally {
    await h.cleanup();
  }
});
