// A final state is never lost across a controller restart (issue 12): with the controller
// process killed, one instance of an App dies; the agent delivers its TASK_FAILED when the
// restarted controller is back. The controller must record it (the Task object leaves
// TASK_RUNNING) and forward it to the apps framework (which replaces the instance), not
// acknowledge it for a task it does not know yet and drop it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { StoredObject } from '../../../src/store/types.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { devPrerequisite } from '../../support/dev-process.js';
import { agentTasks, eventually, startAgent } from './support.js';
import {
  controllerPorts,
  getJson,
  killController,
  spawnController,
  applyObject,
  type ControllerProcess,
} from './process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';

const cgroupRoot = testCgroupRoot('finalstate');
const dir = tempDir('mezzo-finalstate-');
let controller: ControllerProcess | undefined;
let agent: Agent | undefined;
after(async () => {
  if (controller) await killController(controller);
  await agent?.stop();
  await cleanCgroupTrees(cgroupRoot);
  await rm(dir, { recursive: true, force: true });
});

const taskObjects = async (c: ControllerProcess) =>
  (await getJson<StoredObject[]>(c, '/objects?kind=Task')).map((o) => ({
    name: o.metadata.name,
    ...(o.status as { taskId?: string; state?: string }),
  }));

test('a task that dies while the controller is down: its TASK_FAILED is recorded and acted on', async (t) => {
  if (!devPrerequisite(t)) return;
  const ports = await controllerPorts();
  const workDir = join(dir, 'controller');
  let c = await spawnController(workDir, ports);
  controller = c;
  const a = await startAgent(
    c.grpcAddress,
    'cpus:2;mem:1024',
    'fs1',
    '',
    join(dir, 'agent'),
    cgroupRoot,
  );
  agent = a;
  await applyObject(c, 'App', 'svc', {
    command: 'exec sleep 300',
    instances: 2,
    cpus: 0.1,
    mem: 16,
    backoffSeconds: 1,
  });
  const running = async (cc: ControllerProcess) =>
    (await taskObjects(cc)).filter((o) => o.state === 'TASK_RUNNING');
  await eventually(
    async () => (await running(c)).length === 2,
    30_000,
    () => `two running instances: ${c.output.slice(-2000)}`,
  );
  const [victim] = await running(c);
  assert.ok(victim?.taskId);

  // The controller crashes; while it is down one instance dies.
  await killController(c);
  const sandbox = (await agentTasks(a)).find((x) => x.taskId === victim.taskId)?.sandbox ?? '';
  const { taskPid } = parseSupervisorRecord(
    readFileSync(join(sandbox, '.mezzo', SUPERVISOR_FILE), 'utf8'),
  );
  assert.ok(taskPid !== undefined);
  process.kill(taskPid, 'SIGKILL');
  await eventually(
    async () =>
      (await agentTasks(a)).some((x) => x.taskId === victim.taskId && x.state === 'TASK_FAILED'),
    15_000,
    () => 'the agent to see the instance fail',
  );

  c = await spawnController(workDir, ports);
  controller = c;
  // The agent delivers the TASK_FAILED: the Task object follows, and only the framework's
  // acknowledgement (not the controller's guess) empties the agent's queue.
  await eventually(
    async () =>
      (await taskObjects(c)).some((o) => o.taskId === victim.taskId && o.state === 'TASK_FAILED'),
    30_000,
    () => `the Task object of ${victim.taskId} to say TASK_FAILED: ${c.output.slice(-2000)}`,
  );
  await eventually(
    async () =>
      (await agentTasks(a)).some((x) => x.taskId === victim.taskId && x.pendingUpdates === 0),
    30_000,
    () => 'the TASK_FAILED to be acknowledged',
  );
  // The apps framework learnt of the failure and replaced the instance: two running again,
  // none of them the dead one.
  await eventually(
    async () => {
      const now = await running(c);
      return now.length === 2 && !now.some((o) => o.taskId === victim.taskId);
    },
    30_000,
    () => `a replacement instance: ${c.output.slice(-2000)}`,
  );
});
