// Task objects converge to what really runs after a controller restart (issue 12): the
// restarted controller process rebuilds its tasks from the Task objects; one whose agent
// does not come back within the ping timeout becomes TASK_UNREACHABLE (not TASK_RUNNING
// for ever), and when the agent does come back it settles the task with what it knows
// (the process died meanwhile: TASK_FAILED).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
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
  applyObject,
  type ControllerPorts,
  type ControllerProcess,
} from './process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const cgroupRoot = testCgroupRoot('storerec');
const dir = tempDir('mezzo-storerec-');
// Everything each test started, stopped at the end even when a test fails.
const controllers: ControllerProcess[] = [];
const agents: Agent[] = [];
after(async () => {
  for (const c of controllers) await killController(c);
  for (const a of agents) await a.stop();
  await cleanCgroupTrees(cgroupRoot);
  await rm(dir, { recursive: true, force: true });
});
const controllerAt = async (workDir: string, ports: ControllerPorts, args: string[]) => {
  const c = await spawnController(workDir, ports, args);
  controllers.push(c);
  return c;
};
const agentAt = async (c: ControllerProcess, hostname: string, agentDir: string) => {
  const a = await startAgent(c.grpcAddress, 'cpus:1;mem:256', hostname, '', agentDir, cgroupRoot);
  agents.push(a);
  return a;
};

const taskState = async (c: ControllerProcess, name = 'lonely') => {
  const o = (await getJson<StoredObject[]>(c, '/objects?kind=Task')).find(
    (x) => x.metadata.name === name,
  );
  return (o?.status as { state?: string; taskId?: string } | undefined) ?? {};
};

test('a task whose agent does not return becomes TASK_UNREACHABLE; its agent settles it later', async () => {
  const ports = await controllerPorts();
  const workDir = join(dir, 'controller');
  const agentDir = join(dir, 'agent');
  const args = ['--agent-ping-timeout', '3'];
  let c = await controllerAt(workDir, ports, args);
  const agent = await agentAt(c, 's1', agentDir);
  await applyObject(c, 'Task', 'lonely', {
    command: 'exec sleep 300',
    resources: { cpus: 0.1, mem: 16 },
  });
  await eventually(
    async () => (await taskState(c)).state === 'TASK_RUNNING',
    30_000,
    () => `the task to run: ${c.output.slice(-1500)}`,
  );

  // The controller and the agent go down together, and the task's process dies too.
  await killController(c);
  await agent.stop();
  await cleanCgroupTrees(cgroupRoot);
  c = await controllerAt(workDir, ports, args);
  let last = {};
  await eventually(
    async () => (last = await taskState(c)).state === 'TASK_UNREACHABLE',
    20_000,
    () => `the Task object to say TASK_UNREACHABLE: ${JSON.stringify(last)}`,
  );

  // The agent comes back (same work dir, same ID) and reports how the task ended.
  await agentAt(c, 's1', agentDir);
  await eventually(
    async () => ['TASK_FAILED', 'TASK_LOST'].includes((await taskState(c)).state ?? ''),
    20_000,
    () => 'the agent to settle the task',
  );
});

test('a task whose agent returns after the window runs again, and its resources are counted', async () => {
  const ports = await controllerPorts();
  const workDir = join(dir, 'controller-2');
  const agentDir = join(dir, 'agent-2');
  const args = ['--agent-ping-timeout', '3'];
  let c = await controllerAt(workDir, ports, args);
  const agent = await agentAt(c, 's2', agentDir);
  await applyObject(c, 'Task', 'patient', {
    command: 'exec sleep 300',
    resources: { cpus: 0.5, mem: 64 },
  });
  const state = async (cc: ControllerProcess) => (await taskState(cc, 'patient')).state;
  await eventually(
    async () => (await state(c)) === 'TASK_RUNNING',
    30_000,
    () => 'it to run',
  );

  // The controller restarts while the agent is away for longer than the window; the
  // task keeps running.
  await killController(c);
  await agent.stop();
  c = await controllerAt(workDir, ports, args);
  await eventually(
    async () => (await state(c)) === 'TASK_UNREACHABLE',
    20_000,
    () => 'the Task object to say TASK_UNREACHABLE',
  );
  await agentAt(c, 's2', agentDir);
  await eventually(
    async () => (await state(c)) === 'TASK_RUNNING',
    20_000,
    () => 'it back',
  );
  // Its half cpu is allocated to its framework again (the allocator's milli-units).
  const fws = await getJson<{ frameworks: { name: string; allocated: Record<string, number> }[] }>(
    c,
    '/state',
  );
  const allocated = fws.frameworks.find((f) => f.name === 'default')?.allocated ?? {};
  assert.equal(allocated.cpus, 500, JSON.stringify(fws.frameworks));
});
