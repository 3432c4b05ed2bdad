// Updates for a disconnected framework are kept for it (issue 12): a task finishes while
// its framework is away; when the framework resubscribes it gets the TASK_FINISHED at
// once (not at the agent's next resend, a minute away here), and only its acknowledgement
// empties the agent's queue. The same across a controller restart: the restarted
// controller process records the update the agent resends and delivers it too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, chmodSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import type { StoredObject } from '../../../src/store/types.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { agentTasks, eventually, framework, launch, startAgent, until } from './support.js';
import {
  controllerPorts,
  getJson,
  killController,
  spawnController,
  type ControllerProcess,
} from './process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const cgroupRoot = testCgroupRoot('queued');
const dir = tempDir('mezzo-queued-');
chmodSync(dir, 0o755);
let controller: ControllerProcess | undefined;
const frameworks: SchedulerClient[] = [];
let agent: Agent | undefined;
after(async () => {
  for (const f of frameworks) f.close();
  if (controller) await killController(controller);
  await agent?.stop();
  await cleanCgroupTrees(cgroupRoot);
  await rm(dir, { recursive: true, force: true });
});

const agentTask = async (a: Agent, id: string) =>
  (await agentTasks(a)).find((t) => t.taskId === id);

/**
 * A framework (new, or resubscribing as `id`) that records the updates it gets and
 * launches, from the next offer, a task that runs until its gate file exists.
 */
function connect(c: ControllerProcess, id = '') {
  const fw = framework(c.grpcAddress, 'patient', ['p'], 300, id);
  frameworks.push(fw);
  const updates: TaskStatus__Output[] = [];
  const wanted: string[] = [];
  fw.on('update', (s) => updates.push(s));
  // Listening from the start: offers made at subscription must not go unanswered.
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const task = wanted.shift();
      if (task === undefined) {
        fw.decline([o.id], 1).catch(() => undefined);
        continue;
      }
      const cmd = `while [ ! -e ${join(dir, task)} ]; do sleep 0.1; done`;
      fw.accept([o.id], [launch(task, o.agent_id, cmd, 0.1, 16)], 0).catch(() => undefined);
    }
  });
  const finished = (task: string) =>
    updates.some((s) => s.task_id === task && s.state === 'TASK_FINISHED' && s.uuid.length > 0);
  /** Launches `task` and waits for it to run; returns its gate file. */
  const gated = async (task: string) => {
    wanted.push(task);
    await fw.revive();
    await until(
      () => updates.some((s) => s.task_id === task && s.state === 'TASK_RUNNING'),
      20_000,
      `${task} running`,
    );
    return join(dir, task);
  };
  return { fw, finished, gated };
}

test('a framework that was away gets the updates kept for it, across a controller restart too', async () => {
  const ports = await controllerPorts();
  const workDir = join(dir, 'controller');
  let c = await spawnController(workDir, ports);
  controller = c;
  // Resends a minute apart: only the controller keeping the update can deliver it soon.
  const a = await startAgent(
    c.grpcAddress,
    'cpus:2;mem:512',
    'q1',
    '',
    join(dir, 'agent'),
    cgroupRoot,
    {
      updateRetryMinSeconds: 60,
      updateRetryMaxSeconds: 600,
    },
  );
  agent = a;
  const first = connect(c);
  const fwId = await first.fw.start();
  const gate1 = await first.gated('q-1');
  const connected = async (cc: ControllerProcess, want: boolean) =>
    (
      await getJson<{ frameworks: { id: string; connected: boolean }[] }>(cc, '/state')
    ).frameworks.some((f) => f.id === fwId && f.connected === want);

  // 1. The framework goes away; its task finishes; it comes back.
  first.fw.close();
  await eventually(
    () => connected(c, false),
    10_000,
    () => 'the framework to be disconnected',
  );
  writeFileSync(gate1, '');
  await eventually(
    async () => (await agentTask(a, 'q-1'))?.state === 'TASK_FINISHED',
    10_000,
    () => 'the task to finish',
  );
  const second = connect(c, fwId);
  await second.fw.start();
  await until(() => second.finished('q-1'), 10_000, 'the kept TASK_FINISHED at resubscription');
  await eventually(
    async () => (await agentTask(a, 'q-1'))?.pendingUpdates === 0,
    10_000,
    () => 'the acknowledgement to reach the agent',
  );

  // 2. Away again, and the controller process dies and restarts meanwhile.
  const gate2 = await second.gated('q-2');
  second.fw.close();
  await eventually(
    () => connected(c, false),
    10_000,
    () => 'the framework to be disconnected',
  );
  await killController(c);
  writeFileSync(gate2, '');
  await eventually(
    async () => (await agentTask(a, 'q-2'))?.state === 'TASK_FINISHED',
    10_000,
    () => 'the task to finish',
  );
  c = await spawnController(workDir, ports);
  controller = c;
  const third = connect(c, fwId);
  await third.fw.start();
  await until(() => third.finished('q-2'), 20_000, 'the TASK_FINISHED after the restart');
  await eventually(
    async () => (await agentTask(a, 'q-2'))?.pendingUpdates === 0,
    10_000,
    () => 'the acknowledgement to reach the agent',
  );
  const obj = (await getJson<StoredObject[]>(c, '/objects?kind=Task')).find(
    (o) => (o.status as { taskId?: string } | undefined)?.taskId === 'q-2',
  );
  assert.equal((obj?.status as { state?: string } | undefined)?.state, 'TASK_FINISHED');
});
