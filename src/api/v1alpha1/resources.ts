/** Schemas for resource amounts, shared by Task, Role and Agent. */
import { int, list, map, obj, quantity, type Schema } from './schema.js';

/** The Mesos resource names Mezzo knows; any other name is a custom scalar. */
export const RESOURCE_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** A port range, e.g. 31000-32000; CEL rejects an end below the start. */
export function portRange(description: string): Schema {
  return obj(
    description,
    {
      begin: int('First port of the range.', { minimum: 1, maximum: 65535 }),
      end: int('Last port of the range (inclusive).', { minimum: 1, maximum: 65535 }),
    },
    {
      required: ['begin', 'end'],
      'x-kubernetes-validations': [
        { rule: 'self.end >= self.begin', message: 'port range end must not be below its begin' },
      ],
    },
  );
}

/** Scalar amounts by name (`cpus: 500m`, `mem: 4Gi`); CEL requires them to be positive. */
export function scalarMap(description: string): Schema {
  return map(description, quantity('Amount: cpus in cores, mem and disk in bytes.'), {
    'x-kubernetes-validations': [
      {
        rule: "self.all(k, quantity(string(self[k])).isGreaterThan(quantity('0')))",
        message: 'resource amounts must be greater than zero',
      },
    ],
    maxProperties: 16,
  });
}

/** What a task asks for. */
export function taskResources(): Schema {
  return obj(
    'Resources the task needs; the agent enforces cpus, mem and a pids limit with cgroups.',
    {
      cpus: quantity('CPU cores, e.g. 0.5 or 500m. Sets cpu shares and a CFS quota.'),
      mem: quantity('Memory, e.g. 128Mi. A hard limit: exceeding it fails the task.'),
      disk: quantity('Sandbox disk, e.g. 1Gi.'),
      gpus: int('Whole GPUs.', { minimum: 0 }),
      ports: int('How many host ports to assign (PORT0, PORT1, ... in the environment).', {
        minimum: 0,
        maximum: 100,
      }),
      custom: scalarMap('Custom scalar resources offered by agents, by name.'),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: "has(self.cpus) && quantity(string(self.cpus)).isGreaterThan(quantity('0'))",
          message: 'cpus is required and must be greater than zero',
        },
        {
          rule: "has(self.mem) && quantity(string(self.mem)).isGreaterThan(quantity('0'))",
          message: 'mem is required and must be greater than zero',
        },
      ],
    },
  );
}

/** Totals an agent offers. */
export function agentResources(description: string): Schema {
  return obj(description, {
    cpus: quantity('CPU cores.'),
    mem: quantity('Memory.'),
    disk: quantity('Disk.'),
    gpus: int('GPUs.', { minimum: 0 }),
    ports: list('Port ranges.', portRange('A range of host ports.'), { maxItems: 64 }),
    custom: scalarMap('Custom scalar resources by name.'),
  });
}
