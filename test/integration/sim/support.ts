/** Helpers shared by the simulated-agent tests. */
import assert from 'node:assert/strict';
import type { Operation } from '../../../src/gen/mezzo/v1/Operation.js';
import type { Controller } from '../../../src/controller/controller.js';
import { DURATION_LABEL, type SimAgents } from '../../../src/sim/index.js';
import { framework, until } from '../controller/support.js';

/** A LAUNCH of one task (0.5 cpus, 64 MiB) whose labels tell a simulated agent how it runs. */
export function launchOp(id: string, agentId: string, labels: Record<string, string>): Operation {
  return {
    type: 'LAUNCH',
    tasks: [
      {
        task_id: id,
        name: id,
        agent_id: agentId,
        command: { shell: true, value: 'true' },
        labels,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: 0.5 },
          { name: 'mem', type: 'SCALAR', scalar: 64 },
        ],
      },
    ],
  };
}

/**
 * The changes a cached view must follow, each followed by `check(what)`: a framework
 * `name` launches a short and a long task on the simulated agents, the short one
 * finishes, and the agent running the long one goes silent (the task turns
 * unreachable). The framework is closed at `cleanup`.
 */
export async function launchFinishLoseAgent(opts: {
  controller: Controller;
  agents: SimAgents;
  name: string;
  check: (what: string) => Promise<void>;
  cleanup: (() => Promise<void> | void)[];
}): Promise<void> {
  const { controller, check } = opts;
  const fw = framework(controller.grpcAddress, opts.name, ['r'], 60);
  opts.cleanup.push(() => fw.close());
  const states = new Map<string, string>();
  fw.on('update', (s) => states.set(s.task_id, s.state));
  const plan = [
    { id: 'short', seconds: '0.3' },
    { id: 'long', seconds: 'forever' },
  ];
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const t = plan.shift();
      if (t)
        fw.accept([o.id], [launchOp(t.id, o.agent_id, { [DURATION_LABEL]: t.seconds })], 0).catch(
          () => undefined,
        );
      else fw.decline([o.id], 60).catch(() => undefined);
    }
  });
  await fw.start();
  await until(() => states.get('long') === 'TASK_RUNNING', 10_000, 'long RUNNING');
  await check('launches and offers');
  await until(() => states.get('short') === 'TASK_FINISHED', 10_000, 'short FINISHED');
  await check('a task finished');

  // The agent running `long` goes silent: it turns unreachable, its task with it.
  const longAgent = controller.core.tasks.get('long')?.agentId;
  const silent = opts.agents.agents.find((a) => a.id === longAgent);
  assert.ok(silent, 'the agent running long');
  await silent.stop();
  await until(() => states.get('long') === 'TASK_UNREACHABLE', 10_000, 'long UNREACHABLE');
  await check('an agent lost');
}
