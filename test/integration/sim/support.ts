/** Helpers shared by the simulated-agent tests. */
import type { Operation } from '../../../src/gen/mezzo/v1/Operation.js';

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
