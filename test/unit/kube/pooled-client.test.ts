// The apiserver clients keep their connections: KubeConfig.makeApiClient made a new
// agent per request, so every request opened a TCP connection and a TLS handshake (a
// third of the controller's time under load). Counted on a real TLS server on loopback:
// sequential requests share one connection, each still carries the kubeconfig's token.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpsGet, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { CustomResourceClient } from '../../../src/kube/custom-objects.js';
import { CREDENTIALS_REFRESH_MS, PooledAuthentication } from '../../../src/kube/pooled-client.js';

const dir = mkdtempSync(join(tmpdir(), 'mezzo-pooled-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function selfSigned(): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

// [requests made one after the other, TLS connections expected]
const cases: [number, number][] = [
  [1, 1],
  [6, 1],
];

for (const [requests, connections] of cases) {
  test(`${String(requests)} requests in a row: ${String(connections)} TLS connection(s)`, async () => {
    const tls = selfSigned();
    let handshakes = 0;
    const tokens: string[] = [];
    const server = createServer(tls, (req, res) => {
      tokens.push(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'mezzo.dev/v1alpha1',
          kind: 'Task',
          metadata: { name: 'x', namespace: 'default', resourceVersion: '1' },
          spec: {},
        }),
      );
    });
    server.on('secureConnection', () => handshakes++);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `https://127.0.0.1:${String(port)}`,
          caData: tls.cert.toString('base64'),
        },
      ],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const client = new CustomResourceClient(kc, {
      group: 'mezzo.dev',
      version: 'v1alpha1',
      plural: 'tasks',
      kind: 'Task',
      namespaced: true,
    });
    for (let i = 0; i < requests; i++) {
      const got = await client.get('x', 'default');
      assert.equal(got?.metadata.name, 'x');
    }
    assert.equal(handshakes, connections);
    assert.deepEqual(tokens, new Array<string>(requests).fill('Bearer secret-token'));
  });
}

// The kubeconfig's CA file is read once per refresh period, not once per request (three
// synchronous file reads and a throw-away agent each, 2.5 % of the controller's time in
// the side-by-side bench). Shown by removing the file after the first request: within
// the period requests still authenticate and connect with what was read; once it has
// passed the file is read again (a rotated certificate is picked up), so its absence
// fails the request. Without the cache the second request already fails (ENOENT).
// [ms the clock moves on after the file is removed, whether the next request succeeds]
const refreshCases: [number, boolean][] = [
  [0, true],
  [CREDENTIALS_REFRESH_MS - 1, true],
  [CREDENTIALS_REFRESH_MS, false],
];

for (const [later, ok] of refreshCases) {
  test(`CA file removed, clock +${String(later)} ms: next request ${ok ? 'succeeds' : 'reads it again and fails'}`, async () => {
    const tls = selfSigned();
    const caFile = join(dir, `ca-${String(later)}.pem`);
    writeFileSync(caFile, tls.cert);
    const tokens: string[] = [];
    const server = createServer(tls, (req, res) => {
      tokens.push(req.headers.authorization ?? '');
      res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: url, caFile }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    let now = 1_000;
    const auth = new PooledAuthentication(kc, () => now);
    const request = async (): Promise<string> => {
      const ctx = new k8s.RequestContext(url, k8s.HttpMethod.GET);
      await auth.applySecurityAuthentication(ctx);
      return await new Promise<string>((resolve, reject) => {
        const req = httpsGet(url, { agent: ctx.getAgent(), headers: ctx.getHeaders() }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', reject);
      });
    };
    assert.equal(await request(), '200');
    rmSync(caFile);
    now += later;
    if (ok) {
      assert.equal(await request(), '200');
      assert.deepEqual(tokens, ['Bearer secret-token', 'Bearer secret-token']);
    } else {
      await assert.rejects(request(), /ENOENT/);
      assert.deepEqual(tokens, ['Bearer secret-token']);
    }
  });
}
