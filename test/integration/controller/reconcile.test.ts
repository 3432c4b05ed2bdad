// Reconciliation answers what the controller can know, as Mesos' master does: TASK_GONE
// for a task a registered agent does not have, no answer while agents may still
// re-register after a start, TASK_UNKNOWN after that; an agent that comes back without a
// task the controller placed on it makes the controller report it gone; and a finished
// task an agent reported on its return is found, named with or without its agent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import {
  acceptFirstOffer,
  eventually,
  framework,
  launch,
  startAgent,
  startController,
  until,
} from './support.js';
import { authHeader } from '../../support/auth.js';
import * as grpc from '@grpc/grpc-js';
import { agentProto } from '../../../src/shared/proto.js';
import { CLIENT_OPTIONS } from '../../../src/shared/grpc.js';
import { authenticatedOptions } from '../../../src/auth/grpc-client.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('answers for tasks the controller does not know', async () => {
  // Agents active before a restart get 5 s to re-register.
  const opts = { agentPingTimeoutMs: 5000 };
  const first = await startController(undefined, 0, opts);
  let controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'rec-a');
  const fw = framework(controller.grpcAddress, 'reconciler', ['r']);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  await fw.start();
  await until(() => controller.core.agents.size === 1, 5_000, 'the agent');
  const agentId = [...controller.core.agents.keys()][0] ?? '';
  const answer = async (taskId: string) => {
    await until(() => updates.some((u) => u.task_id === taskId), 5_000, `an answer for ${taskId}`);
    return updates.find((u) => u.task_id === taskId)?.state;
  };

  await fw.reconcile([
    { task_id: 'never-on-a', agent_id: agentId },
    { task_id: 'on-a-stranger', agent_id: 'agent-that-never-was' },
  ]);
  // The registered agent is authoritative; an agent never seen is not waited for.
  assert.equal(await answer('never-on-a'), 'TASK_GONE');
  assert.equal(await answer('on-a-stranger'), 'TASK_UNKNOWN');

  // The controller dies, then the agent: the new controller expects it back (its Agent
  // object says Active) and meanwhile cannot tell what happened to its tasks.
  await controller.stop();
  await agent.stop();
  controller = (await startController(first.dir, port, opts)).controller;
  await until(() => fw.connected, 10_000, 'the framework to resubscribe');
  assert.ok(controller.core.recoveringAgents(agentId), 'the agent is expected back');
  await fw.reconcile([{ task_id: 'ghost', agent_id: agentId }]);
  await until(() => !controller.core.recoveringAgents(agentId), 10_000, 'the window to end');
  assert.equal(
    updates.find((u) => u.task_id === 'ghost'),
    undefined,
    'no answer while the agent could still report it',
  );
  await fw.reconcile([{ task_id: 'ghost', agent_id: agentId }]);
  assert.equal(await answer('ghost'), 'TASK_UNKNOWN');
});

test('an agent back without a task it ran: the framework hears TASK_GONE', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  let agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'rec-b');
  const workDir = agent.config.workDir;
  cleanup.push(() => agent.stop());
  const fw = framework(controller.grpcAddress, 'forgotten', ['r']);
  cleanup.push(() => fw.close());
  const states: string[] = [];
  fw.on('update', (s) => {
    if (s.task_id === 'brief') states.push(s.state);
  });
  acceptFirstOffer(fw, (agentId) => [launch('brief', agentId, 'exec sleep 1', 0.1, 16)]);
  await fw.start();
  await until(() => states.includes('TASK_RUNNING'), 10_000, 'the task running');
  // The agent goes away, the task ends meanwhile, and the agent's record of it is lost.
  await agent.stop();
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(join(workDir, 'meta', 'tasks'), { recursive: true, force: true });
  agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'rec-b', '', workDir);
  await until(() => states.includes('TASK_GONE'), 10_000, 'TASK_GONE for the forgotten task');
  assert.equal(controller.core.tasks.get('brief')?.state, 'TASK_GONE');
});

test('after a restart, a task that ended before it is answered with the final state its Task object holds', async () => {
  const first = await startController(undefined, 0, { agentPingTimeoutMs: 5000 });
  let controller = first.controller;
  const port = Number(controller.grpcAddress.split(':').pop());
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus:1;mem:128', 'rec-c');
  cleanup.push(() => agent.stop());
  const fw = framework(controller.grpcAddress, 'remembers', ['r']);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  acceptFirstOffer(fw, (a) => [launch('ended', a, 'true', 0.1, 16)]);
  await fw.start();
  await until(() => updates.some((u) => u.state === 'TASK_FINISHED'), 10_000, 'the task to end');
  const agentId = [...controller.core.agents.keys()][0] ?? '';
  // Its final state is on its Task object once the acknowledged update reached the agent.
  await eventually(
    async () =>
      (await first.store.list('Task')).some(
        (o) => (o.status as { state?: string } | undefined)?.state === 'TASK_FINISHED',
      ),
    10_000,
    () => 'the Task object to show TASK_FINISHED',
  );

  // ...and the agent has the acknowledgement: it no longer reports the task.
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${String(agent.port)}/state`, {
        headers: authHeader(),
      });
      const st = (await res.json()) as { tasks: { taskId: string; pendingUpdates: number }[] };
      return st.tasks.find((x) => x.taskId === 'ended')?.pendingUpdates === 0;
    },
    10_000,
    () => 'the agent to have the acknowledgement',
  );

  await controller.stop();
  controller = (await startController(first.dir, port, { agentPingTimeoutMs: 5000 })).controller;
  await until(() => fw.connected, 10_000, 'the framework to resubscribe');
  await until(() => controller.core.agents.get(agentId)?.state === 'active', 10_000, 'the agent');
  updates.length = 0;
  await fw.reconcile([{ task_id: 'ended', agent_id: agentId }]);
  await until(() => updates.some((u) => u.task_id === 'ended'), 5_000, 'an answer');
  // The agent no longer reports the settled task: without the store's record this was
  // TASK_GONE (and TASK_UNKNOWN with the agent away).
  assert.equal(updates.find((u) => u.task_id === 'ended')?.state, 'TASK_FINISHED');
});

test('a finished task an agent reported at re-registration is answered, named without its agent', async () => {
  // The agent (raw gRPC) re-registers reporting a task this controller never knew, ended
  // TASK_FINISHED with its update still to send, and never sends it: until it does, its
  // report is the only record, and a reconciliation that names the task without the
  // agent must find it there (TASK_UNKNOWN otherwise).
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const fw = framework(controller.grpcAddress, 'reported-done', ['r']);
  cleanup.push(() => fw.close());
  const updates: TaskStatus__Output[] = [];
  fw.on('update', (s) => updates.push(s));
  const frameworkId = await fw.start();
  const proto = agentProto();
  const client = new proto.mezzo.v1.Agent(
    controller.grpcAddress,
    grpc.credentials.createInsecure(),
    authenticatedOptions(CLIENT_OPTIONS, {}),
  );
  const call = client.Connect();
  cleanup.push(() => {
    call.cancel();
    client.close();
  });
  let registered = false;
  call.on('data', (m: { payload?: string }) => {
    if (m.payload === 'registered') registered = true;
  });
  let ended = '';
  call.on('error', (err: grpc.ServiceError) => {
    ended = err.details;
  });
  const cpus = [{ name: 'cpus', type: 'SCALAR' as const, scalar: 1 }];
  call.write({
    reregister: {
      agent_info: { id: 'reporting-agent', hostname: 'reporting', resources: cpus },
      tasks: [{ task_id: 'done-while-away', framework_id: frameworkId, resources: cpus }],
      latest_statuses: [
        {
          task_id: 'done-while-away',
          framework_id: frameworkId,
          agent_id: 'reporting-agent',
          state: 'TASK_FINISHED',
          uuid: Buffer.from('u1'),
        },
      ],
      framework_ids: [frameworkId],
    },
  });
  await until(
    () => registered,
    5_000,
    () => `the re-registration (${ended || 'open'})`,
  );
  await fw.reconcile([{ task_id: 'done-while-away' }]);
  await until(() => updates.some((u) => u.task_id === 'done-while-away'), 5_000, 'the answer');
  const answer = updates.find((u) => u.task_id === 'done-while-away');
  assert.equal(answer?.state, 'TASK_FINISHED');
  assert.equal(answer.agent_id, 'reporting-agent');
});
