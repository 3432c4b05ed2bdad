// The `mezzo` bin works as a real process: --help lists the commands and exits 0, an
// unknown command exits non-zero with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../../bin/mezzo.js', import.meta.url));

test('mezzo --help lists commands and exits 0', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: mezzo \[options\] \[command\]/m);
  for (const cmd of ['dev', 'version']) assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, 'm'));
});

test('mezzo with an unknown command exits non-zero and says why', () => {
  const r = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});
