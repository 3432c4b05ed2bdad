// What an agent reports when it re-registers (issue 12, as Mesos' agent): its live tasks
// and the finished ones with an update still to deliver; a finished task whose updates
// were all acknowledged is settled and left out, so a long-lived agent's report does not
// grow with every task it ever ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeController, shellTask } from './support/fake-controller.js';
import { needCgroups, startHarness } from './support/harness.js';
import { authHeader } from '../../support/auth.js';

test('re-registration reports live tasks and unacknowledged finished ones, not settled ones', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  let second: FakeController | undefined;
  try {
    // settled: finished and acknowledged; unacked: finished, its TASK_FINISHED held back;
    // live: running.
    h.controller.launch(shellTask('settled', 'true'));
    await h.controller.waitForState('settled', 'TASK_FINISHED');
    const view = async (id: string) => {
      const res = await fetch(`http://127.0.0.1:${String(h.agent.port)}/state`, {
        headers: authHeader(),
      });
      const st = (await res.json()) as {
        tasks: { taskId: string; state?: string; pendingUpdates: number }[];
      };
      return st.tasks.find((x) => x.taskId === id);
    };
    const until = async (cond: () => Promise<boolean>, what: string) => {
      for (let i = 0; !(await cond()); i++) {
        assert.ok(i < 200, what);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // The acknowledgement is on disk once the agent shows nothing pending for the task.
    await until(async () => (await view('settled'))?.pendingUpdates === 0, 'settled acked');
    // Its first update is never acknowledged, so its TASK_FINISHED waits behind it.
    h.controller.holdAcks.add('unacked');
    h.controller.launch(shellTask('unacked', 'true'));
    await until(async () => (await view('unacked'))?.state === 'TASK_FINISHED', 'unacked ends');
    h.controller.launch(shellTask('live', 'exec sleep 30'));
    await h.controller.waitForState('live', 'TASK_RUNNING');

    const port = Number(h.controller.address.split(':')[1]);
    await h.controller.stop();
    await h.controller.waitFor(() => !h.agent.isRegistered, 5000, 'agent to notice');
    second = new FakeController('agent-1', 1);
    await second.start(port);
    const ctl = second;
    await ctl.waitFor(() => ctl.reregistrations.length === 1, 10_000, 're-registration');
    const reported = ctl.reregistrations[0]?.tasks.map((x) => x.task_id).sort();
    assert.deepEqual(reported, ['live', 'unacked']);
  } finally {
    await second?.stop();
    await h.cleanup();
  }
});
