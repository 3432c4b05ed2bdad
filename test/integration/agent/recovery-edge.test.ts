// Recovery edge cases with in-process agents over one work dir: a supervisor pid whose
// start time does not match is not reattached (pid reuse), a launch whose pid checkpoint
// never landed is found through the pid the supervisor recorded, and a kill in progress at the
// crash is finished by the next agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from '../../../src/agent-sidecar/agent.js';
import { readProcStat } from '../../../src/agent-sidecar/procfs.js';
import { readLatestCheckpoint } from '../../../src/agent-sidecar/task-checkpoint.js';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';
import { authHeader } from '../../support/auth.js';

async function editCheckpoint(
  workDir: string,
  taskPrefix: string,
  edit: (cp: Record<string, unknown>) => void,
): Promise<void> {
  const dir = join(workDir, 'meta', 'tasks');
  const key = readdirSync(dir).find((k) => k.startsWith(taskPrefix));
  assert.ok(key);
  // The newest checkpoint is the last line of task.json; an edited one appended wins.
  const cp = (await readLatestCheckpoint(join(dir, key))) as unknown as Record<string, unknown>;
  edit(cp);
  await appendFile(join(dir, key, 'task.json'), `${JSON.stringify(cp)}\n`);
}

test('recovery: pid + start time identity, missing pid checkpoint, kill in progress', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  let second: Agent | undefined;
  try {
    h.controller.launch(shellTask('reused', 'exec sleep 1000'));
    h.controller.launch(shellTask('nopid', 'exec sleep 1000'));
    h.controller.launch(
      shellTask('killing', "trap '' TERM; touch ready; while :; do sleep 0.05; done"),
    );
    for (const id of ['reused', 'nopid', 'killing'])
      await h.controller.waitForState(id, 'TASK_RUNNING');
    const sbNopid = h.agent.sandboxOf('nopid') ?? '';
    // The supervisor records its pid itself, after the launcher has answered.
    await h.controller.waitFor(
      () => existsSync(join(sbNopid, '.mezzo', SUPERVISOR_FILE)),
      5000,
      'supervisor pid recorded',
    );
    const supPid = parseSupervisorRecord(
      await readFile(join(sbNopid, '.mezzo', SUPERVISOR_FILE), 'utf8'),
    ).supervisorPid;
    assert.ok(supPid !== undefined);
    const sbKilling = h.agent.sandboxOf('killing') ?? '';
    await h.controller.waitFor(
      () => existsSync(join(sbKilling, 'ready')),
      5000,
      'SIGTERM trap set',
    );
    // A kill whose SIGKILL escalation is 1 s away when the agent "dies".
    h.controller.kill('killing', 'fw-1', 1);
    await new Promise((r) => setTimeout(r, 200));
    await h.agent.stop();
    await editCheckpoint(h.workDir, 'reused-', (cp) => {
      cp.startTime = Number(cp.startTime) + 1; // as if the pid now belonged to another process
    });
    await editCheckpoint(h.workDir, 'nopid-', (cp) => {
      delete cp.pid;
      delete cp.startTime;
    });
    second = new Agent(h.config);
    await second.start();
    const reused = await h.controller.waitForState('reused', 'TASK_FAILED', 10_000);
    assert.equal(
      reused.reason,
      'REASON_EXECUTOR_TERMINATED',
      'a different process is not reattached',
    );
    const killed = await h.controller.waitForState('killing', 'TASK_KILLED', 10_000);
    assert.equal(killed.exit_code, 137, 'the next agent escalated the interrupted kill');
    const res = await fetch(`http://127.0.0.1:${String(second.port)}/state`, {
      headers: authHeader(),
    });
    const st = (await res.json()) as { tasks: { taskId: string; phase: string; pid?: number }[] };
    const nopid = st.tasks.find((x) => x.taskId === 'nopid');
    assert.equal(nopid?.phase, 'running');
    assert.equal(nopid.pid, supPid, 'found through .mezzo/supervisor');
    assert.ok((await readProcStat(supPid))?.state !== 'Z');
    assert.deepEqual(h.controller.states('nopid'), ['TASK_STARTING', 'TASK_RUNNING']);
  } finally {
    if (second) {
      await second.stop();
      await second.destroyAllTasks();
    }
    await h.cleanup();
  }
});
