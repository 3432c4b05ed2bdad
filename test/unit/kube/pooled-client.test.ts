// The apiserver clients keep their connections: KubeConfig.makeApiClient made a new
// agent per request, so every request opened a TCP connection and a TLS handshake (a
// third of the controller's time under load). Counted on a real TLS server on loopback:
// sequential requests share one connection, each still carries the kubeconfig's token.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { CustomResourceClient } from '../../../src/kube/custom-objects.js';

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
