/** The Framework kind: a scheduler that receives offers for one or more roles. */
import type { KindDefinition } from './kind.js';
import { bool, conditions, int, list, map, num, obj, oneOf, str, time } from './schema.js';
import { FRAMEWORK_ROLE_PATTERN } from './role.js';

/** The longest failover timeout a Framework object holds: a year. */
export const MAX_FAILOVER_TIMEOUT_S = 31_536_000;

/** The Framework kind. */
export const frameworkKind: KindDefinition = {
  kind: 'Framework',
  plural: 'frameworks',
  singular: 'framework',
  shortNames: ['fw'],
  scope: 'Namespaced',
  categories: ['mezzo'],
  description:
    'A Mezzo framework: a scheduler that receives resource offers for its roles and launches tasks on them, built in or external (gRPC or the Mesos HTTP API).',
  spec: obj(
    'Who the framework is and how it is scheduled.',
    {
      roles: list(
        "Roles whose resources the framework is offered, e.g. eng/backend; `*` is Mesos' default role.",
        str('A role path, or *.', { pattern: FRAMEWORK_ROLE_PATTERN, maxLength: 253 }),
        { minItems: 1, maxItems: 64, 'x-kubernetes-list-type': 'set' },
      ),
      user: str('Default Unix user for its tasks.', { maxLength: 64 }),
      principal: str('Identity the framework authenticates as.', { maxLength: 253 }),
      failoverTimeoutSeconds: num(
        'How long its tasks keep running while the scheduler is disconnected; then they are killed.',
        { minimum: 0, maximum: MAX_FAILOVER_TIMEOUT_S, default: 604800 },
      ),
      checkpoint: bool('Agents checkpoint its tasks so they survive agent restarts.', {
        default: true,
      }),
      capabilities: list(
        'Mesos framework capabilities.',
        oneOf('A capability.', [
          'MULTI_ROLE',
          'PARTITION_AWARE',
          'GPU_RESOURCES',
          'RESERVATION_REFINEMENT',
          'REVOCABLE_RESOURCES',
          'TASK_KILLING_STATE',
          'REGION_AWARE',
        ]),
        { maxItems: 7, 'x-kubernetes-list-type': 'set' },
      ),
      scheduler: obj(
        "Which scheduler makes the framework's decisions.",
        {
          kind: oneOf('BuiltIn: run inside the controller; External: a program that subscribes.', [
            'BuiltIn',
            'External',
          ]),
          name: oneOf('Built-in scheduler name.', ['default', 'apps', 'schedules']),
        },
        {
          required: ['kind'],
          'x-kubernetes-validations': [
            {
              rule: "self.kind != 'BuiltIn' || has(self.name)",
              message: 'a BuiltIn scheduler needs a name',
            },
          ],
        },
      ),
      placement: oneOf('Built-in default framework: spread tasks over agents or bin-pack them.', [
        'Spread',
        'BinPack',
      ]),
      labels: map('Labels sent with the framework info.', str('Value.', { maxLength: 256 }), {
        maxProperties: 64,
      }),
    },
    { required: ['roles'] },
  ),
  status: obj('The framework as the controller sees it.', {
    frameworkId: str('ID the controller assigned at first subscription.'),
    connected: bool('Whether a scheduler is subscribed now.'),
    lastConnected: time('When a scheduler last subscribed.'),
    disconnectedSince: time('When the scheduler went away, while it is away.'),
    allocated: map('Resources allocated to it, by name.', str('Amount.')),
    offered: map('Resources outstanding in offers to it, by name.', str('Amount.')),
    tasks: obj('Task counts by phase.', {
      staging: int('STAGING and STARTING.'),
      running: int('RUNNING.'),
      finished: int('FINISHED.'),
      failed: int('FAILED, ERROR, LOST, DROPPED and GONE.'),
      killed: int('KILLED.'),
    }),
    conditions: conditions(),
    observedGeneration: int('Generation the status describes.'),
  }),
  printerColumns: [
    { name: 'Roles', type: 'string', jsonPath: '.spec.roles', description: 'Roles' },
    {
      name: 'Connected',
      type: 'boolean',
      jsonPath: '.status.connected',
      description: 'Scheduler subscribed',
    },
    {
      name: 'Running',
      type: 'integer',
      jsonPath: '.status.tasks.running',
      description: 'Running tasks',
    },
    {
      name: 'ID',
      type: 'string',
      jsonPath: '.status.frameworkId',
      description: 'Framework ID',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
