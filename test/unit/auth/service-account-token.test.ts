import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenFileUnreadableError, serviceAccountToken } from '../../../src/auth/kube-access.js';
import { tempDir } from '../../support/cleanup.js';

test('the ServiceAccount token is read again on every call (the kubelet rotates it)', async () => {
  const file = join(tempDir('mezzo-sa-'), 'token');
  writeFileSync(file, 'first-token\n');
  const token = serviceAccountToken(file);
  assert.equal(await token(), 'first-token');
  writeFileSync(file, 'rotated-token');
  assert.equal(await token(), 'rotated-token');
});

// [title, file content or undefined for missing, message part]
const bad: [string, string | undefined, string][] = [
  ['a missing file', undefined, 'ENOENT'],
  ['an empty file', ' \n', 'the file is empty'],
];
for (const [title, content, why] of bad) {
  test(`the ServiceAccount token: ${title} is a named error`, async () => {
    const file = join(tempDir('mezzo-sa-'), 'token');
    if (content !== undefined) writeFileSync(file, content);
    await assert.rejects(serviceAccountToken(file)(), (err: unknown) => {
      assert.ok(err instanceof TokenFileUnreadableError);
      assert.match(err.message, new RegExp(why));
      return true;
    });
  });
}
