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
import type { TLSSocket } from 'node:tls';
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

/** A Task client for `https://127.0.0.1:port` through a kubeconfig with `user`'s TLS. */
function clientFor(port: number, ca: Buffer, user: k8s.User) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `https://127.0.0.1:${String(port)}`, caData: ca.toString('base64') },
    ],
    users: [user],
    contexts: [{ name: 'x', cluster: 'c', user: user.name }],
    currentContext: 'x',
  });
  return new CustomResourceClient(kc, {
    group: 'mezzo.dev',
    version: 'v1alpha1',
    plural: 'tasks',
    kind: 'Task',
    namespaced: true,
  });
}

async function listening(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const task = JSON.stringify({
  apiVersion: 'mezzo.dev/v1alpha1',
  kind: 'Task',
  metadata: { name: 'x', namespace: 'default', resourceVersion: '1' },
  spec: {},
});

/** A TLS server on loopback counting its handshakes and the tokens it was sent. */
async function countingServer() {
  const tls = selfSigned();
  const seen = { handshakes: 0, tokens: [] as string[] };
  const server = createServer(tls, (req, res) => {
    seen.tokens.push(req.headers.authorization ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(task);
  });
  server.on('secureConnection', () => seen.handshakes++);
  return { port: await listening(server), ca: tls.cert, seen };
}

// [requests made one after the other, TLS connections expected]
const cases: [number, number][] = [
  [1, 1],
  [6, 1],
];

for (const [requests, connections] of cases) {
  test(`${String(requests)} requests in a row: ${String(connections)} TLS connection(s)`, async () => {
    const { port, ca, seen } = await countingServer();
    const client = clientFor(port, ca, { name: 'u', token: 'secret-token' });
    for (let i = 0; i < requests; i++) {
      const got = await client.get('x', 'default');
      assert.equal(got?.metadata.name, 'x');
    }
    assert.equal(seen.handshakes, connections);
    assert.deepEqual(seen.tokens, new Array<string>(requests).fill('Bearer secret-token'));
  });
}

// A process of simulated agents has a client per agent, each with its own node's token:
// they share connections (one handshake for all), and each request carries its own token.
test('clients that differ only in their token share one connection', async () => {
  const { port, ca, seen } = await countingServer();
  const names = ['node-a', 'node-b', 'node-c'];
  for (const n of names) {
    const client = clientFor(port, ca, { name: n, token: `token-${n}` });
    assert.equal((await client.get('x', 'default'))?.metadata.name, 'x');
  }
  assert.equal(seen.handshakes, 1);
  assert.deepEqual(
    seen.tokens,
    names.map((n) => `Bearer token-${n}`),
  );
});

// The agent's TLS context is made once from the kubeconfig's CA, certificate and key:
// the server is still verified against that CA, and the client certificate still sent.
test('a server the CA did not sign is refused', async () => {
  const served = selfSigned();
  const other = selfSigned();
  const port = await listening(createServer(served, (_q, res) => res.end(task)));
  const client = clientFor(port, other.cert, { name: 'u', token: 't' });
  await assert.rejects(client.get('x', 'default'));
});

test('a client certificate from the kubeconfig is presented', async () => {
  const served = selfSigned();
  const user = selfSigned();
  const seen: string[] = [];
  const server = createServer(
    { ...served, ca: user.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      seen.push((req.socket as TLSSocket).getPeerCertificate().subject.CN);
      res.setHeader('content-type', 'application/json');
      res.end(task);
    },
  );
  const port = await listening(server);
  const withCert = clientFor(port, served.cert, {
    name: 'u',
    certData: user.cert.toString('base64'),
    keyData: user.key.toString('base64'),
  });
  assert.equal((await withCert.get('x', 'default'))?.metadata.name, 'x');
  assert.deepEqual(seen, ['127.0.0.1']);
  const without = clientFor(port, served.cert, { name: 'u', token: 't' });
  await assert.rejects(without.get('x', 'default'));
});
