// A task's checkpoint file on a real file system: the first checkpoint is task.json's first
// line and task.json is never replaced (no inode freed per checkpoint), later ones are lines
// appended to it whose last complete line wins, the status-update log is created with the
// first one, and an older agent's layout (later lines in task.log) still reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  appendCheckpoint,
  CheckpointUnreadableError,
  readLatestCheckpoint,
  writeFirstCheckpoint,
} from '../../../src/agent-sidecar/task-checkpoint.js';
import type { TaskCheckpoint } from '../../../src/agent-sidecar/task-record.js';
import { tempDir } from '../../support/cleanup.js';

const first: TaskCheckpoint = {
  version: 1,
  task: { task_id: 't1' } as TaskCheckpoint['task'],
  framework: { id: 'fw-1' } as TaskCheckpoint['framework'],
  key: 't1-abc',
  sandbox: '/sb',
  cgroup: 't1-abc',
  launchedAt: 1000,
};
const withPid: TaskCheckpoint = { ...first, pid: 42, startTime: 7 };
const finished: TaskCheckpoint = { ...withPid, finishedAt: 2000 };

test('the first checkpoint is task.json, later ones are appended to it, same inode', async () => {
  const dir = tempDir('mezzo-cp-');
  await writeFirstCheckpoint(dir, first, ['updates.log']);
  assert.ok(existsSync(join(dir, 'updates.log')), 'the update log is created with it');
  assert.equal(await readFile(join(dir, 'updates.log'), 'utf8'), '');
  const inode = statSync(join(dir, 'task.json')).ino;
  appendCheckpoint(dir, withPid);
  appendCheckpoint(dir, finished);
  assert.equal(statSync(join(dir, 'task.json')).ino, inode, 'task.json was not replaced');
  const lines = (await readFile(join(dir, 'task.json'), 'utf8')).split('\n');
  assert.deepEqual(JSON.parse(lines[0] ?? ''), first, 'the first line never changes');
  assert.equal(lines.length, 4, 'three lines, each ended');
  assert.deepEqual(readdirSync(dir).sort(), ['task.json', 'updates.log'], 'one checkpoint file');
  assert.deepEqual(await readLatestCheckpoint(dir), finished);
});

test('a first checkpoint truncates the lines an earlier task of the same key left', async () => {
  const dir = tempDir('mezzo-cp-');
  await writeFirstCheckpoint(dir, first);
  appendCheckpoint(dir, finished);
  const again: TaskCheckpoint = { ...first, launchedAt: 5000 };
  await writeFirstCheckpoint(dir, again);
  assert.deepEqual(await readLatestCheckpoint(dir), again);
});

test('the latest checkpoint: table of what is on disk', async () => {
  const cases: {
    name: string;
    json?: string;
    log?: string;
    want: TaskCheckpoint | undefined | 'unreadable';
  }[] = [
    { name: 'nothing written', want: undefined },
    { name: 'only the first', json: `${JSON.stringify(first)}\n`, want: first },
    {
      name: 'later lines win, last first',
      json: `${JSON.stringify(first)}\n${JSON.stringify(withPid)}\n${JSON.stringify(finished)}\n`,
      want: finished,
    },
    {
      name: 'a torn last line is ignored',
      json: `${JSON.stringify(first)}\n${JSON.stringify(withPid)}\n${JSON.stringify(finished).slice(0, 30)}`,
      want: withPid,
    },
    {
      name: 'a complete-looking last line without its newline is still being written',
      json: `${JSON.stringify(first)}\n${JSON.stringify(withPid)}`,
      want: first,
    },
    {
      name: 'a torn first checkpoint',
      json: JSON.stringify(first).slice(0, 20),
      want: 'unreadable',
    },
    { name: 'an empty task.json (a crash before the first write)', json: '', want: 'unreadable' },
    // An older agent's layout: task.json one document, later lines in task.log.
    {
      name: 'legacy: task.log lines win, last first',
      json: `${JSON.stringify(first)}\n`,
      log: `${JSON.stringify(withPid)}\n${JSON.stringify(finished)}\n`,
      want: finished,
    },
    {
      name: 'legacy: task.json without a newline',
      json: JSON.stringify(first),
      log: `${JSON.stringify(withPid)}\n`,
      want: withPid,
    },
    {
      name: 'legacy: a torn task.log line is ignored',
      json: `${JSON.stringify(first)}\n`,
      log: `${JSON.stringify(withPid)}\n${JSON.stringify(finished).slice(0, 30)}`,
      want: withPid,
    },
    {
      name: "legacy: a task.log of an earlier launch of the same key is not this one's",
      json: `${JSON.stringify({ ...first, launchedAt: 5000 })}\n`,
      log: `${JSON.stringify(finished)}\n`,
      want: { ...first, launchedAt: 5000 },
    },
    {
      name: 'new lines in task.json win over a task.log',
      json: `${JSON.stringify(first)}\n${JSON.stringify(withPid)}\n`,
      log: `${JSON.stringify(finished)}\n`,
      want: withPid,
    },
  ];
  for (const c of cases) {
    const dir = tempDir('mezzo-cp-');
    if (c.json !== undefined) await writeFile(join(dir, 'task.json'), c.json);
    if (c.log !== undefined) await appendFile(join(dir, 'task.log'), c.log);
    if (c.want === 'unreadable') {
      await assert.rejects(readLatestCheckpoint(dir), CheckpointUnreadableError, c.name);
    } else {
      assert.deepEqual(await readLatestCheckpoint(dir), c.want, c.name);
    }
  }
});
