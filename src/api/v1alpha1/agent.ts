/** The Agent kind: a node's agent as the controller sees it (written by the controller). */
import type { KindDefinition } from './kind.js';
import { agentResources } from './resources.js';
import { bool, conditions, int, map, obj, oneOf, str, time } from './schema.js';

/** The Agent kind. */
export const agentKind: KindDefinition = {
  kind: 'Agent',
  plural: 'agents',
  singular: 'agent',
  shortNames: ['magent'],
  scope: 'Cluster',
  categories: ['mezzo'],
  description:
    'A Mezzo agent: the per-node process that runs tasks. The controller mirrors every registered agent here; operators may set maintenance.',
  spec: obj('Identity and operator intent.', {
    nodeName: str('Kubernetes node the agent runs on.', { maxLength: 253 }),
    hostname: str('Hostname the agent reported.', { maxLength: 253 }),
    maintenance: bool('Operator intent: offer nothing from this agent and let its tasks drain.'),
  }),
  status: obj('What the agent reported and its state.', {
    agentId: str('ID the controller assigned.'),
    state: oneOf('Lifecycle state.', ['Active', 'Draining', 'Unreachable', 'Gone']),
    address: str('Where the agent serves metrics and sandboxes.'),
    version: str('Agent version.'),
    total: agentResources('Total resources.'),
    used: map('Resources used by tasks, by name.', str('Amount.')),
    reserved: map('Resources reserved to roles, by name.', str('Amount.')),
    attributes: map('Attributes (rack, zone, node labels).', str('Value.')),
    tasks: int('Tasks running on the agent.'),
    lastHeartbeat: time('Last heartbeat from the agent.'),
    registeredAt: time('When it last (re)registered.'),
    conditions: conditions(),
  }),
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', description: 'Node' },
    { name: 'State', type: 'string', jsonPath: '.status.state', description: 'State' },
    { name: 'CPUs', type: 'number', jsonPath: '.status.total.cpus', description: 'Total CPUs' },
    { name: 'Mem', type: 'string', jsonPath: '.status.total.mem', description: 'Total memory' },
    { name: 'Tasks', type: 'integer', jsonPath: '.status.tasks', description: 'Running tasks' },
    {
      name: 'Heartbeat',
      type: 'date',
      jsonPath: '.status.lastHeartbeat',
      description: 'Last heartbeat',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
