// An agent on Kubernetes reads its Node through the real apiserver: labels become
// attributes and, without --resources, the node's allocatable minus the reserve becomes
// what it offers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';
import { startController, until } from '../../integration/controller/support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

let cp: ControlPlane;
const procs: ChildProcess[] = [];
before(() => {
  cp = controlPlane();
});
after(() => {
  for (const p of procs) p.kill('SIGKILL');
  cp.stop();
});

test("the agent offers its node's allocatable minus the reserve, with its labels", async () => {
  await cp.kubectl(
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: Node\nmetadata: {name: cap-node, labels: {rack: r9}}\n',
  );
  // Allocatable is what a kubelet reports in the node's status.
  await cp.kubectl([
    'patch',
    'node',
    'cap-node',
    '--subresource=status',
    '--type=merge',
    '-p',
    '{"status":{"capacity":{"cpu":"4","memory":"4Gi"},"allocatable":{"cpu":"3","memory":"2Gi"}}}',
  ]);
  const { controller } = await startController();
  const agent = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/mezzo.js'),
      'agent',
      '--controller',
      controller.grpcAddress,
      '--node-name',
      'cap-node',
      '--kubeconfig',
      cp.kubeconfigPath,
      '--work-dir',
      tempDir('mezzo-cap-'),
      '--port',
      '0',
      '--cgroup-root',
      testCgroupRoot('cap'),
      '--reserve-cpus',
      '0.5',
      '--reserve-mem',
      '512',
    ],
    { stdio: 'ignore' },
  );
  procs.push(agent);
  try {
    await until(() => controller.core.agents.size === 1, 15_000, 'the agent to register');
    const a = [...controller.core.agents.values()][0];
    assert.ok(a);
    // 3 cores - 0.5 = 2.5; 2048 MiB - 512 = 1536 MiB.
    assert.equal(a.total.scalar('cpus'), 2.5);
    assert.equal(a.total.scalar('mem'), 1536);
    assert.deepEqual(
      a.info.attributes.filter((x) => x.name === 'rack'),
      [{ name: 'rack', text: 'r9' }],
    );
    assert.equal(a.info.node_name, 'cap-node');
  } finally {
    agent.kill('SIGTERM');
    await controller.stop();
  }
});
