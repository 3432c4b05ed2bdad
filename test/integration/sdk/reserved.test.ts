// An offer that mixes a static reservation with unreserved resources: what the SDK's
// matcher takes names the reservation, so the real controller accepts the launch and
// the task runs on both parts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferMatcher, commandTask, launch } from '../../../src/sdk/index.js';
import { framework, startAgent, startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a launch over reserved and unreserved cpus is accepted and runs', async () => {
  const { controller } = await startController();
  cleanup.push(() => controller.stop());
  const agent = await startAgent(controller.grpcAddress, 'cpus(eng):1;cpus:1;mem:256', 'res-a');
  cleanup.push(() => agent.stop());
  const fw = framework(controller.grpcAddress, 'reserved-user', ['eng']);
  cleanup.push(() => fw.close());
  const states: string[] = [];
  let accepted: Promise<void> | undefined;
  fw.on('update', (s) => states.push(s.state));
  fw.on('offers', (offers) => {
    for (const offer of offers) {
      // 1.5 cpus: the whole eng reservation (1) plus 0.5 unreserved.
      const fit = accepted ? undefined : new OfferMatcher(offer).take({ cpus: 1.5, mem: 32 });
      if (fit?.ok) {
        accepted = fw.accept(
          [offer.id],
          [
            launch(
              commandTask({
                taskId: 'mixed',
                name: 'mixed',
                agentId: offer.agent_id,
                resources: fit.resources,
                command: 'true',
              }),
            ),
          ],
        );
      } else fw.decline([offer.id], 60).catch(() => undefined);
    }
  });
  await fw.start();
  await until(() => accepted !== undefined, 10_000, 'an offer with 1.5 cpus');
  await accepted;
  await until(() => states.includes('TASK_FINISHED'), 10_000, 'the task to finish');
  const task = controller.core.tasks.get('mixed');
  assert.ok(task);
  // cpus:0.5 unreserved and cpus(eng):1, as taken.
  assert.equal(task.resources.toString(), 'cpus:0.5; cpus(eng):1; mem:32');
});
