// What one task leaves in the agent's meta directory, on a real agent: the first checkpoint
// (task.json's first line) is never rewritten nor the file replaced, later ones (pid, kill,
// finish) are lines appended to task.json, no per-task launch file is written (the launch text goes to the launcher on
// its pipe), and a command with a newline in it reaches the task unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLatestCheckpoint } from '../../../src/agent-sidecar/task-checkpoint.js';
import type { TaskCheckpoint } from '../../../src/agent-sidecar/task-record.js';
import { shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';

test('checkpoints append to task.json, which keeps its inode; no launch file', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  try {
    h.controller.launch(shellTask('cp', "printf '%s' 'two\nlines' > out; exec sleep 60"));
    await h.controller.waitForState('cp', 'TASK_RUNNING');
    const tasks = join(h.workDir, 'meta', 'tasks');
    const key = readdirSync(tasks).find((k) => k.startsWith('cp-'));
    assert.ok(key);
    const meta = join(tasks, key);
    const inode = statSync(join(meta, 'task.json')).ino;
    const sandbox = h.agent.sandboxOf('cp') ?? '';
    await h.controller.waitFor(() => existsSync(join(sandbox, 'out')), 5000, 'the task ran');
    h.controller.kill('cp', 'fw-1', 0);
    await h.controller.waitForState('cp', 'TASK_KILLED');
    // The finish checkpoint is appended after TASK_KILLED is persisted (and so sent).
    const deadline = Date.now() + 5000;
    while ((await readLatestCheckpoint(meta))?.finishedAt === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const latest = await readLatestCheckpoint(meta);
    assert.ok(latest?.finishedAt !== undefined, 'the finish checkpoint is the latest');
    assert.ok(latest.pid !== undefined && latest.kill !== undefined);
    assert.equal(statSync(join(meta, 'task.json')).ino, inode, 'task.json never replaced');
    const lines = (await readFile(join(meta, 'task.json'), 'utf8')).split('\n');
    const first = JSON.parse(lines[0] ?? '') as TaskCheckpoint;
    assert.equal(first.pid, undefined, "task.json's first line is the first checkpoint");
    assert.ok(lines.length > 2, 'later checkpoints are lines of task.json');
    assert.deepEqual(
      readdirSync(meta).sort(),
      ['task.json', 'updates.log'],
      'no launch file, no temporary files',
    );
    assert.equal(await readFile(join(sandbox, 'out'), 'utf8'), 'two\nlines');
  } finally {
    await h.cleanup();
  }
});
