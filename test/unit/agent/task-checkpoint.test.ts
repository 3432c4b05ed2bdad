// A task's checkpoint files on a real file system: the first checkpoint is task.json and is
// never replaced (no inode freed per checkpoint), later ones are lines of task.log whose
// last complete line wins, and the status-update log is created with the first one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
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

test('the first checkpoint is task.json, later ones are appended and task.json keeps its inode', async () => {
  const dir = tempDir('mezzo-cp-');
  await writeFirstCheckpoint(dir, first, ['updates.log']);
  assert.ok(existsSync(join(dir, 'updates.log')), 'the update log is created with it');
  assert.equal(await readFile(join(dir, 'updates.log'), 'utf8'), '');
  const inode = statSync(join(dir, 'task.json')).ino;
  await appendCheckpoint(dir, withPid);
  await appendCheckpoint(dir, finished);
  assert.equal(statSync(join(dir, 'task.json')).ino, inode, 'task.json was not replaced');
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'task.json'), 'utf8')), first);
  assert.deepEqual(await readLatestCheckpoint(dir), finished);
});

test('a first checkpoint clears task.log lines an earlier task of the same key left', async () => {
  const dir = tempDir('mezzo-cp-');
  await appendFile(join(dir, 'task.log'), `${JSON.stringify(finished)}\n`);
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
      json: `${JSON.stringify(first)}\n`,
      log: `${JSON.stringify(withPid)}\n${JSON.stringify(finished)}\n`,
      want: finished,
    },
    {
      name: 'a torn last line is ignored',
      json: `${JSON.stringify(first)}\n`,
      log: `${JSON.stringify(withPid)}\n${JSON.stringify(finished).slice(0, 30)}`,
      want: withPid,
    },
    {
      name: 'only a torn line: the first checkpoint',
      json: `${JSON.stringify(first)}\n`,
      log: JSON.stringify(finished).slice(0, 30),
      want: first,
    },
    {
      name: 'a torn first checkpoint',
      json: JSON.stringify(first).slice(0, 20),
      want: 'unreadable',
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
