// The `mezzo` bin works as a real process: --help lists the commands and exits 0, an
// unknown command exits non-zero with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../../src/cli/main.js';

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

test('every command answers --help with its usage and exits 0', () => {
  const names = buildProgram()
    .commands.map((c) => c.name())
    .filter((n) => n !== 'help');
  // At least the commands the CLI issue names, and whatever was added since.
  for (const must of ['dev', 'apply', 'get', 'delete', 'run', 'logs', 'kill', 'simulate'])
    assert.ok(names.includes(must), `${must} is registered`);
  for (const name of names) {
    const r = spawnSync(process.execPath, [bin, name, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: mezzo ${name}\\b`, 'm'), name);
  }
});
