/**
 * Schemas for resource amounts, shared by Task, Role, Agent, App and Schedule. Every
 * amount is typed and bounded: what a task asks for must be enforceable (cpus at least
 * the smallest share the allocator hands out, so the agent can set a CFS quota; mem at
 * least 1Mi, so the memory cgroup has a limit) and small enough that fixed-point sums
 * stay exact. Fractional lower bounds are CEL rules, because the apiserver compares an
 * integer value with a schema `minimum` truncated to an integer (0 passes `minimum: 0.01`).
 */
import {
  celIsSize,
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
 * The smallest cpus a task may ask for: the allocator's default minimum allocatable
 * cpus (src/allocator/allocator.ts), as Mesos' MIN_CPUS.
 */
export const MIN_CPUS = 0.01;
/** The most cpus one task may ask for. */
export const MAX_TASK_CPUS = 4096;
/** The most memory one task may ask for, as a quantity and in MiB (16Ti). */
export const MAX_TASK_MEM = { text: '16Ti', mib: 16 * 2 ** 20 } as const;
/** The most disk one task may ask for (1Pi). */
export const MAX_TASK_DISK = { text: '1Pi', mib: 2 ** 30 } as const;
/** The most whole GPUs one task may ask for. */
export const MAX_TASK_GPUS = 256;
/** The most host ports one task may ask for. */
export const MAX_TASK_PORTS = 100;
/** Bounds of cluster-wide amounts (quota, agent totals): 1Ei of memory or disk. */
const MAX_TOTAL_SIZE = { text: '1Ei', mib: 2 ** 40 } as const;
const MAX_TOTAL_CPUS = 10_000_000;
const MAX_TOTAL_GPUS = 1_000_000;
/** The largest custom scalar amount. */
const MAX_CUSTOM = 1e12;

/** A size field (int MiB or quantity) within [min, max], as a rule on the field itself. */
function sizeWithin(
  name: string,
  min: { text: string; mib: number },
  max: { text: string; mib: number },
): CelRule {
  return {
    rule: `type(self) == int ? (self >= ${min.mib} && self <= ${max.mib}) : (!isQuantity(self) || (quantity(self).compareTo(quantity('${min.text}')) >= 0 && quantity(self).compareTo(quantity('${max.text}')) <= 0))`,
    message: `${name} must be between ${min.text} and ${max.text} (a plain number counts MiB)`,
  };
}

const ZERO = { text: '0', mib: 0 } as const;
const ONE_MIB = { text: '1Mi', mib: 1 } as const;

/** Cores a task asks for, e.g. `cpus: 0.5`, at least {@link MIN_CPUS}. */
export function taskCpus(description: string, extra: Partial<Schema> = {}): Schema {
  return num(`${description} Cores, e.g. 0.5; at least ${MIN_CPUS}.`, {
    ...extra,
    maximum: MAX_TASK_CPUS,
    'x-kubernetes-validations': [
      {
        rule: `self >= ${MIN_CPUS}`,
        message: `cpus must be at least ${MIN_CPUS}, the smallest share Mezzo allocates`,
      },
    ],
  });
}

/** Memory a task asks for: at least 1Mi (a zero would leave its memory cgroup unlimited). */
export function taskMem(description: string, extra: Partial<Schema> = {}): Schema {
  return quantity(description, {
    ...extra,
    'x-kubernetes-validations': [sizeWithin('mem', ONE_MIB, MAX_TASK_MEM)],
  });
}

/** Disk a task asks for. */
export function taskDisk(description: string): Schema {
  return quantity(description, {
    'x-kubernetes-validations': [sizeWithin('disk', ZERO, MAX_TASK_DISK)],
  });
}

/** Whole GPUs a task asks for. */
export function taskGpus(description: string): Schema {
  return int(description, { minimum: 0, maximum: MAX_TASK_GPUS });
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

/**
 * What an App instance or a Schedule run asks for when the spec names no cpus or mem:
 * the apps and schedules frameworks' own defaults, declared here so the apiserver
 * stores them too.
 */
export const BUILTIN_DEFAULTS = { cpus: 0.1, mem: 32 } as const;

/** Custom scalar resources by name. */
function custom(): Schema {
  return map(
    'Custom scalar resources by name.',
    num('Amount.', { minimum: 0, maximum: MAX_CUSTOM }),
    { maxProperties: 16 },
  );
}

/** Cluster-wide named amounts (quota, agent totals): cpus, mem, disk, gpus, custom. */
export function amounts(description: string, extra: Record<string, Schema> = {}): Schema {
  return obj(description, {
    cpus: num('CPU cores.', { minimum: 0, maximum: MAX_TOTAL_CPUS }),
    mem: quantity('Memory.', {
      'x-kubernetes-validations': [sizeWithin('mem', ZERO, MAX_TOTAL_SIZE)],
    }),
    disk: quantity('Disk.', {
      'x-kubernetes-validations': [sizeWithin('disk', ZERO, MAX_TOTAL_SIZE)],
    }),
    gpus: int('Whole GPUs.', { minimum: 0, maximum: MAX_TOTAL_GPUS }),
    custom: custom(),
    ...extra,
  });
}

/** What a task asks for. */
export function taskResources(): Schema {
  return obj(
    'Resources the task needs; the agent enforces cpus, mem and a pids limit with cgroups.',
    {
      cpus: taskCpus('CPU.'),
      mem: taskMem('Memory, at least 1Mi.'),
      disk: taskDisk('Disk.'),
      gpus: taskGpus('Whole GPUs.'),
      custom: custom(),
      ports: int('How many host ports to assign (PORT0, PORT1, ... in the environment).', {
        minimum: 0,
        maximum: MAX_TASK_PORTS,
      }),
    },
    { required: ['cpus', 'mem'] },
  );
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
  const sizes = (field: string) =>
    notBelow(
      field,
      `!${celIsSize(`self.limit.${field}`)} || !${celIsSize(`self.guarantee.${field}`)} || ${celSize(`self.limit.${field}`)}.compareTo(${celSize(`self.guarantee.${field}`)}) >= 0`,
    );
  return obj(
    'Quota: guaranteed amounts are held for the role; limits are never exceeded.',
    {
      guarantee: amounts('Amounts held for the role (Mesos quota guarantees).'),
      limit: amounts('Amounts the role never exceeds (Mesos quota limits).'),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: `!has(self.guarantee) || !has(self.limit) || ((${notBelow('cpus', 'self.limit.cpus >= self.guarantee.cpus')}) && (${notBelow('gpus', 'self.limit.gpus >= self.guarantee.gpus')}) && (${sizes('mem')}) && (${sizes('disk')}))`,
          message: 'a quota limit must not be below its guarantee',
        },
      ],
    },
  );
}
