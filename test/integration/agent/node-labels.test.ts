// Node labels become attributes: a loopback HTTP server stands in for the apiserver's
// GET /api/v1/nodes/<name>, reached through a kubeconfig file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mergeAttributes, nodeLabelAttributes } from '../../../src/agent-sidecar/node-labels.js';
import { tempDir } from '../../support/cleanup.js';

test("the node's labels are read as attributes; flags override them", async () => {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1', rack: 'r7' } },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = tempDir('mezzo-kc-');
  try {
    const port = (server.address() as AddressInfo).port;
    const kc = join(dir, 'kubeconfig');
    writeFileSync(
      kc,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${String(port)}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    const labels = await nodeLabelAttributes('n1', kc);
    assert.deepEqual(paths, ['/api/v1/nodes/n1']);
    assert.deepEqual(labels, [
      { name: 'rack', text: 'r7' },
      { name: 'topology.kubernetes.io/zone', text: 'z1' },
    ]);
    assert.deepEqual(mergeAttributes(labels, [{ name: 'rack', text: 'r1' }]), [
      { name: 'topology.kubernetes.io/zone', text: 'z1' },
      { name: 'rack', text: 'r1' },
    ]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
});
