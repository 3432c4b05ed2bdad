// The agent's sandbox reads (read_file from the controller) on a real file system: only
// regular files inside the sandbox are read; `..`, absolute paths, symlinks anywhere in
// the path, FIFOs, directories and hard links to files the task does not own are refused
// with a reason, and nothing of the target comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSandboxFile } from '../../../src/agent-sidecar/read-file.js';
import { tempDir } from '../../support/cleanup.js';

const root = tempDir('mezzo-read-file-');
const sandbox = join(root, 'sandbox');
const outside = join(root, 'outside');
mkdirSync(join(sandbox, 'sub'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(outside, 'secret'), 'SECRET');
writeFileSync(join(sandbox, 'stdout'), 'hello');
writeFileSync(join(sandbox, 'sub', 'file'), 'nested');
writeFileSync(join(sandbox, 'mine'), 'mine');
symlinkSync(join(outside, 'secret'), join(sandbox, 'abs-link'));
symlinkSync('../outside/secret', join(sandbox, 'rel-link'));
symlinkSync(outside, join(sandbox, 'dir-link'));
// A symlink that stays inside is refused too: a read follows no link at all.
symlinkSync('stdout', join(sandbox, 'inner-link'));
execFileSync('mkfifo', [join(sandbox, 'fifo')]);
// A hard link to a file of another user (root's, the task being uid 65534).
linkSync(join(outside, 'secret'), join(sandbox, 'hard'));
// The task's own file, hard-linked by the task: its own data.
chownSync(join(sandbox, 'mine'), 65534, 65534);
linkSync(join(sandbox, 'mine'), join(sandbox, 'mine2'));

const read = (path: string) =>
  readSandboxFile(
    { sandbox, uid: 65534 },
    { request_id: 1, task_id: 't', path, offset: 0, length: 100 },
  );

test('only regular files inside the sandbox are read', async () => {
  // [path, data, or the refusal]
  const cases: [string, string | RegExp][] = [
    ['stdout', 'hello'],
    ['', 'hello'],
    ['sub/file', 'nested'],
    ['./sub//file', 'nested'],
    ['mine2', 'mine'],
    ['../outside/secret', /"\.\." is refused/],
    ['sub/../stdout', /"\.\." is refused/],
    [join(outside, 'secret'), /absolute paths are refused/],
    ['abs-link', /abs-link is a symlink; refused/],
    ['rel-link', /rel-link is a symlink; refused/],
    ['inner-link', /inner-link is a symlink; refused/],
    ['dir-link/secret', /a symlink in the path is refused/],
    ['stdout/x', /stdout is not a directory/],
    ['sub', /sub is not a regular file/],
    ['fifo', /fifo is not a regular file/],
    ['hard', /hard is a hard link to a file the task does not own/],
    ['missing', /ENOENT/],
  ];
  for (const [path, want] of cases) {
    const r = await read(path);
    if (typeof want === 'string') {
      assert.equal(r.error, '', path);
      assert.equal(r.data.toString(), want, path);
    } else {
      assert.match(r.error, want, path);
      assert.equal(r.data.length, 0, `${path}: no data`);
    }
  }
});

test('an unknown task is an error, not a throw', async () => {
  const r = await readSandboxFile(undefined, {
    request_id: 2,
    task_id: 'gone',
    path: 'stdout',
    offset: 0,
    length: 10,
  });
  assert.equal(r.error, 'unknown task gone');
});
