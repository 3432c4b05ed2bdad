/** Schemas for resource amounts, shared by Task, Role, Agent, App and Schedule. */
import {
  celSize,
  int,
  list,
  map,
  num,
  obj,
  quantity,
  type CelRule,
  type Schema,
} from './schema.js';

/**
 * Cores as a number (`cpus: 0.5`), as Mesos and Marathon users write them.
 */
export function cpus(description: string): Schema {
  return num(`${description} Cores, e.g. 0.5.`, { minimum: 0 });
}

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

/** Rules that a task-like spec asks for positive cpus and at least 1Mi of memory. */
export function positiveCpusAndMem(prefix = 'self'): CelRule[] {
  return [
    {
      rule: `has(${prefix}.cpus) && ${prefix}.cpus > 0.0`,
      message: 'cpus is required and must be greater than zero',
    },
    {
      rule: `has(${prefix}.mem) && ${celSize(`${prefix}.mem`)}.compareTo(quantity('1Mi')) >= 0`,
      message: 'mem is required and must be at least 1Mi (a plain number counts MiB)',
    },
  ];
}

/** Named amounts: cpus and gpus as numbers, mem and disk as quantities, custom scalars. */
export function amounts(description: string, extra: Record<string, Schema> = {}): Schema {
  return obj(description, {
    cpus: cpus('CPU.'),
    mem: quantity('Memory.'),
    disk: quantity('Disk.'),
    gpus: int('Whole GPUs.', { minimum: 0 }),
    custom: map('Custom scalar resources by name.', num('Amount.', { minimum: 0 }), {
      maxProperties: 16,
    }),
    ...extra,
  });
}

/** What a task asks for. */
export function taskResources(): Schema {
  const s = amounts(
    'Resources the task needs; the agent enforces cpus, mem and a pids limit with cgroups.',
    {
      ports: int('How many host ports to assign (PORT0, PORT1, ... in the environment).', {
        minimum: 0,
        maximum: 100,
      }),
    },
  );
  s['x-kubernetes-validations'] = positiveCpusAndMem();
  return s;
}

/** Totals an agent offers. */
export function agentResources(description: string): Schema {
  return amounts(description, {
    ports: list('Port ranges.', portRange('A range of host ports.'), { maxItems: 64 }),
  });
}

/** A quota: guarantee and limit, with limit not below guarantee for every amount. */
export function quota(): Schema {
  const notBelow = (field: string, cmp: string) =>
    `!has(self.guarantee.${field}) || !has(self.limit.${field}) || ${cmp}`;
  return obj(
    'Quota: guaranteed amounts are held for the role; limits are never exceeded.',
    {
      guarantee: amounts('Amounts held for the role (Mesos quota guarantees).'),
      limit: amounts('Amounts the role never exceeds (Mesos quota limits).'),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: `!has(self.guarantee) || !has(self.limit) || ((${notBelow('cpus', 'self.limit.cpus >= self.guarantee.cpus')}) && (${notBelow('gpus', 'self.limit.gpus >= self.guarantee.gpus')}) && (${notBelow('mem', `${celSize('self.limit.mem')}.compareTo(${celSize('self.guarantee.mem')}) >= 0`)}) && (${notBelow('disk', `${celSize('self.limit.disk')}.compareTo(${celSize('self.guarantee.disk')}) >= 0`)}))`,
          message: 'a quota limit must not be below its guarantee',
        },
      ],
    },
  );
}
