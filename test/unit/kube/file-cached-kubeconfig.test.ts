// The kubeconfig that reads its TLS files once a minute: real files in a temp dir, the
// options a request is made with (`applyToHTTPSOptions`, which the generated clients'
// authentication shares with `applySecurityAuthentication`), and a manual clock.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type https from 'node:https';
import { ManualClock } from '../../../src/shared/clock.js';
import { FILE_REREAD_MS, FileCachedKubeConfig } from '../../../src/kube/file-cached-kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'mezzo-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ca = join(dir, 'ca.crt');
const cert = join(dir, 'client.crt');
const key = join(dir, 'client.key');

function files(version: string): void {
  writeFileSync(ca, `ca ${version}`);
  writeFileSync(cert, `cert ${version}`);
  writeFileSync(key, `key ${version}`);
}

function loaded(clock: ManualClock): FileCachedKubeConfig {
  const kc = new FileCachedKubeConfig(clock);
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:9', caFile: ca }],
    users: [{ name: 'u', certFile: cert, keyFile: key }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** What a request would present: CA, certificate and key, as text. */
async function presented(kc: FileCachedKubeConfig): Promise<string[]> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return [opts.ca, opts.cert, opts.key].map((b) => (Buffer.isBuffer(b) ? b.toString() : 'none'));
}

test('files are read once a minute, not at every request', async () => {
  files('1');
  const clock = new ManualClock(0);
  const kc = loaded(clock);
  assert.deepEqual(await presented(kc), ['ca 1', 'cert 1', 'key 1']);
  // Rotated on disk: the copy read at 0 serves until a minute has passed.
  files('2');
  clock.advance(FILE_REREAD_MS - 1);
  assert.deepEqual(await presented(kc), ['ca 1', 'cert 1', 'key 1']);
  clock.advance(1);
  assert.deepEqual(await presented(kc), ['ca 2', 'cert 2', 'key 2']);
});

test('a file gone while it rotates: the last copy serves until it can be read again', async () => {
  files('1');
  const clock = new ManualClock(0);
  const kc = loaded(clock);
  await presented(kc);
  unlinkSync(key);
  clock.advance(FILE_REREAD_MS);
  assert.deepEqual(await presented(kc), ['ca 1', 'cert 1', 'key 1']);
  files('3');
  assert.deepEqual(await presented(kc), ['ca 3', 'cert 3', 'key 3'], 'read at the next request');
});

test('a file never read fails the request as without the cache', async () => {
  files('1');
  unlinkSync(ca);
  const kc = loaded(new ManualClock(0));
  await assert.rejects(presented(kc), { code: 'ENOENT' });
});

test('loading another kubeconfig drops the copy at once', async () => {
  files('1');
  const clock = new ManualClock(0);
  const kc = loaded(clock);
  await presented(kc);
  const other = join(dir, 'other-ca.crt');
  writeFileSync(other, 'other ca');
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:9', caFile: other }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  assert.ok(Buffer.isBuffer(opts.ca));
  assert.equal(opts.ca.toString(), 'other ca');
  assert.equal(opts.cert, undefined);
  assert.equal(kc.getCurrentUser()?.token, 't');
});
