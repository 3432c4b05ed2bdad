// Task objects converge to what really runs after a controller restart (issue 12): the
// restarted controller process rebuilds its tasks from the Task objects; one whose agent
// does not come back within the ping timeout becomes TASK_UNREACHABLE (not TASK_RUNNING
// for ever), and when the agent does come back it settles the task with what it knows
// (the process died meanwhile: TASK_FAILED).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { StoredObject } from '../../../src/store/types.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { eventually, startAgent } from './support.js';
import {
  controllerPorts,
  getJson,
  killController,
  spawnController,
  type ControllerProcess,
} from './process.js';

const cgroupRoot = `mezzo-storerec-${String(process.pid)}`;
const dir = mkdtempSync(join(tmpdir(), 'mezzo-storerec-'));
let controller: ControllerProcess | undefined;
let agent: Agent | undefined;
after(async () => {
  if (controller) await killController(controller);
  await agent?.stop();
  await cleanCgroupTrees(cgroupRoot);
  await rm(dir, { recursive: true, force: true });
});

const taskState = async (c: ControllerProcess) => {
  const o = (await getJson<StoredObject[]>(c, '/objects?kind=Task')).find(
    (x) => x.metadata.name === 'lonely',
  );
  return (o?.status as { state?: string; taskId?: string } | undefined) ?? {};
};

test('a task whose agent does not return becomes TASK_UNREACHABLE; its agent settles it later', async () => {
  const ports = await controllerPorts();
  const workDir = join(dir, 'controller');
  const agentDir = join(dir, 'agent');
  let c = await spawnController(workDir, ports, ['--agent-ping-timeout', '3']);
  controller = c;
  agent = await startAgent(c.grpcAddress, 'cpus:1;mem:256', 's1', '', agentDir, cgroupRoot);
  const applied = await fetch(`${c.server}/apply`, {
    method: 'POST',
    body: JSON.stringify([
      {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'Task',
        metadata: { name: 'lonely', namespace: 'default' },
        spec: { command: 'exec sleep 300', resources: { cpus: 0.1, mem: 16 } },
      },
    ]),
  });
  assert.equal(applied.status, 200, await applied.text());
  await eventually(
    async () => (await taskState(c)).state === 'TASK_RUNNING',
    30_000,
    () => `the task to run: ${c.output.slice(-1500)}`,
  );

  // The controller and the agent go down together, and the task's process dies too.
  await killController(c);
  await agent.stop();
  agent = undefined;
  await cleanCgroupTrees(cgroupRoot);
  c = await spawnController(workDir, ports, ['--agent-ping-timeout', '3']);
  controller = c;
  let last = {};
  await eventually(
    async () => (last = await taskState(c)).state === 'TASK_UNREACHABLE',
    20_000,
    () => `the Task object to say TASK_UNREACHABLE: ${JSON.stringify(last)}`,
  );

  // The agent comes back (same work dir, same ID) and reports how the task ended.
  agent = await startAgent(c.grpcAddress, 'cpus:1;mem:256', 's1', '', agentDir, cgroupRoot);
  await eventually(
    async () => ['TASK_FAILED', 'TASK_LOST'].includes((await taskState(c)).state ?? ''),
    20_000,
    () => 'the agent to settle the task',
  );
});
