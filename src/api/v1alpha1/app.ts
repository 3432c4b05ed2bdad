/** The App kind: a Marathon-style long-running service kept at N healthy instances. */
import type { KindDefinition } from './kind.js';
import { constraint, healthCheck, killGracePeriod, seconds, uri } from './task.js';
import { ROLE_NAME_PATTERN } from './role.js';
import { BUILTIN_DEFAULTS, taskCpus, taskDisk, taskMem } from './resources.js';
import { conditions, int, list, map, num, obj, str, time } from './schema.js';

/** The App kind. */
export const appKind: KindDefinition = {
  kind: 'App',
  plural: 'apps',
  singular: 'app',
  shortNames: ['mapp'],
  scope: 'Namespaced',
  categories: ['mezzo'],
  description:
    'A Marathon-style app: a command kept running as `instances` healthy tasks, replaced when they fail, rolled to a new spec under an upgrade strategy.',
  spec: obj(
    'What to run and how many.',
    {
      command: str('Shell command; $PORT0, $PORT1 ... name the assigned ports.', {
        maxLength: 32768,
      }),
      args: list('Program and arguments, without a shell.', str('Argument.', { maxLength: 4096 }), {
        minItems: 1,
        maxItems: 256,
      }),
      instances: int('How many instances to keep running.', {
        minimum: 0,
        maximum: 10000,
        default: 1,
      }),
      cpus: taskCpus('CPU per instance.', { default: BUILTIN_DEFAULTS.cpus }),
      mem: taskMem('Memory per instance, e.g. 128Mi; at least 1Mi.', {
        default: BUILTIN_DEFAULTS.mem,
      }),
      disk: taskDisk('Disk per instance.'),
      role: str('Role to run under.', { pattern: ROLE_NAME_PATTERN, maxLength: 253 }),
      env: map('Environment variables.', str('Value.', { maxLength: 8192 }), {
        maxProperties: 128,
      }),
      labels: map('Labels.', str('Value.', { maxLength: 256 }), { maxProperties: 64 }),
      uris: list('Files fetched into each sandbox.', uri(), { maxItems: 32 }),
      constraints: list('Placement rules (Marathon operators).', constraint(), { maxItems: 16 }),
      portDefinitions: list(
        'Ports each instance gets, in order ($PORT0 ...).',
        obj('A port.', {
          name: str('Port name.', { maxLength: 63 }),
          port: int('0 for any free port; otherwise a fixed host port.', {
            minimum: 0,
            maximum: 65535,
          }),
          protocol: str('tcp or udp.', { enum: ['tcp', 'udp'] }),
        }),
        { maxItems: 16 },
      ),
      healthChecks: list('Health checks; an instance is healthy when all pass.', healthCheck(), {
        maxItems: 4,
      }),
      upgradeStrategy: obj('How a new spec replaces running instances.', {
        minimumHealthCapacity: num('Share of instances that stay healthy during an upgrade.', {
          minimum: 0,
          maximum: 1,
          default: 1,
        }),
        maximumOverCapacity: num('Share of instances that may run on top of `instances`.', {
          minimum: 0,
          maximum: 1,
          default: 1,
        }),
      }),
      backoffSeconds: seconds('Delay before relaunching a failed instance.', 0, { default: 1 }),
      backoffFactor: num('Growth of that delay per consecutive failure.', {
        minimum: 1,
        maximum: 10,
        default: 1.15,
      }),
      maxLaunchDelaySeconds: seconds('Cap on the delay.', 0, { default: 300 }),
      killGracePeriodSeconds: killGracePeriod(),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: 'has(self.command) != has(self.args)',
          message: 'set exactly one of command or args',
        },
      ],
    },
  ),
  status: obj('The app as it runs (written by the apps framework).', {
    instances: int('Instances running.'),
    healthy: int('Instances passing every health check.'),
    staged: int('Instances launched, not running yet.'),
    unplaced: int('Instances that cannot be placed now.'),
    unplacedReason: str('Why (constraints or resources).'),
    version: str(
      'Spec version (a hash of the spec without instances) every instance ran when the app was last stable.',
    ),
    deployment: obj('The upgrade in progress, if any.', {
      id: str('Deployment ID.'),
      from: int('metadata.generation being replaced.'),
      to: int('metadata.generation being rolled out.'),
      fromVersion: str('Spec version being replaced.'),
      toVersion: str('Spec version being rolled out.'),
      startedAt: time('When it started.'),
    }),
    launchDelayedUntil: time('Launches wait for the restart backoff until then.'),
    lastTaskFailure: obj('The latest failed instance.', {
      taskId: str('Task ID.'),
      state: str('Final state.'),
      message: str('Message.'),
      at: time('When.'),
    }),
    observedGeneration: int('Generation the status describes.'),
    conditions: conditions(),
  }),
  printerColumns: [
    {
      name: 'Instances',
      type: 'integer',
      jsonPath: '.spec.instances',
      description: 'Desired instances',
    },
    {
      name: 'Running',
      type: 'integer',
      jsonPath: '.status.instances',
      description: 'Running instances',
    },
    {
      name: 'Healthy',
      type: 'integer',
      jsonPath: '.status.healthy',
      description: 'Healthy instances',
    },
    {
      name: 'Deploying',
      type: 'string',
      jsonPath: '.status.deployment.id',
      description: 'Deployment in progress',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
