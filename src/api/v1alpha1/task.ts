/** The Task kind: one unit of work placed by a framework and run by an agent. */
import type { KindDefinition } from './kind.js';
import { MAX_TASK_PORTS, taskResources } from './resources.js';
import { ROLE_NAME_PATTERN } from './role.js';
import {
  bool,
  conditions,
  int,
  list,
  map,
  num,
  obj,
  oneOf,
  str,
  time,
  type Schema,
} from './schema.js';

/** Mesos task states, as Task status reports them. */
export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;

/** Operators for placement constraints on agent attributes (Marathon's set). */
export const CONSTRAINT_OPERATORS = [
  'EQUALS',
  'LIKE',
  'UNLIKE',
  'UNIQUE',
  'CLUSTER',
  'GROUP_BY',
  'MAX_PER',
] as const;

/** A placement constraint; `hostname` names the agent's hostname. */
export function constraint(): Schema {
  return obj(
    'A placement rule on an agent attribute (or hostname).',
    {
      attribute: str('Attribute name, or hostname.', { minLength: 1, maxLength: 253 }),
      operator: oneOf('How the attribute is matched.', [...CONSTRAINT_OPERATORS]),
      value: str('Value or regular expression; required by EQUALS, LIKE, UNLIKE, MAX_PER.', {
        maxLength: 1024,
      }),
    },
    {
      required: ['attribute', 'operator'],
      'x-kubernetes-validations': [
        {
          rule: "!(self.operator in ['EQUALS', 'LIKE', 'UNLIKE', 'MAX_PER']) || has(self.value)",
          message: 'EQUALS, LIKE, UNLIKE and MAX_PER need a value',
        },
        {
          rule: "self.operator != 'MAX_PER' || !has(self.value) || self.value.matches('^[1-9][0-9]{0,8}$')",
          message: 'MAX_PER needs a positive whole number as its value',
        },
        {
          rule: "self.operator != 'GROUP_BY' || !has(self.value) || self.value.matches('^[1-9][0-9]{0,8}$')",
          message: 'GROUP_BY takes an optional positive whole number as its value',
        },
      ],
    },
  );
}

/** The longest duration in seconds a spec may name (a day). */
export const MAX_SECONDS = 86400;

/**
 * A duration in seconds within [min, a day]; a fractional minimum is a CEL rule (the
 * apiserver lets an integer 0 through a schema `minimum: 0.1`).
 */
export function seconds(description: string, min: number, extra: Partial<Schema> = {}): Schema {
  if (Number.isInteger(min))
    return num(description, { minimum: min, maximum: MAX_SECONDS, ...extra });
  return num(description, {
    maximum: MAX_SECONDS,
    'x-kubernetes-validations': [
      { rule: `self >= ${min}`, message: `must be at least ${min} seconds` },
    ],
    ...extra,
  });
}

/** Time between SIGTERM and SIGKILL. */
export function killGracePeriod(): Schema {
  return seconds('Time between SIGTERM and SIGKILL.', 0, { default: 3 });
}

/** A health check (command, HTTP or TCP). */
export function healthCheck(): Schema {
  return obj(
    'How the agent checks the task is healthy.',
    {
      type: oneOf('Kind of check.', ['COMMAND', 'HTTP', 'TCP']),
      command: str('COMMAND: shell command run in the sandbox; exit 0 is healthy.', {
        maxLength: 4096,
      }),
      path: str('HTTP: path to GET; 2xx and 3xx are healthy.', { default: '/', maxLength: 2048 }),
      portIndex: int("HTTP and TCP: index into the task's assigned ports.", {
        minimum: 0,
        maximum: MAX_TASK_PORTS - 1,
      }),
      port: int('HTTP and TCP: a fixed port instead of portIndex.', { minimum: 1, maximum: 65535 }),
      gracePeriodSeconds: seconds('Failures during this time after start are ignored.', 0),
      intervalSeconds: seconds('Time between checks.', 0.1),
      timeoutSeconds: seconds('A check taking longer fails.', 0.1),
      consecutiveFailures: int('Failures in a row that make the task unhealthy.', {
        minimum: 1,
        maximum: 100,
      }),
      killWhenUnhealthy: bool('Kill the task once it is unhealthy.'),
    },
    {
      required: ['type'],
      'x-kubernetes-validations': [
        {
          rule: "self.type != 'COMMAND' || has(self.command)",
          message: 'a COMMAND check needs command',
        },
        {
          rule: "!(self.type in ['HTTP', 'TCP']) || has(self.portIndex) || has(self.port)",
          message: 'HTTP and TCP checks need portIndex or port',
        },
        {
          rule: '!has(self.timeoutSeconds) || !has(self.intervalSeconds) || self.timeoutSeconds <= self.intervalSeconds',
          message: 'timeoutSeconds must not exceed intervalSeconds',
        },
      ],
    },
  );
}

/** A URI fetched into the sandbox. */
export function uri(): Schema {
  return obj(
    'A file the agent downloads into the sandbox before the task starts.',
    {
      value: str('http(s):// or file:// URI.', { pattern: '^(https?|file)://.+', maxLength: 4096 }),
      executable: bool('Set the executable bit.'),
      extract: bool('Unpack .tar, .tar.gz, .tgz or .zip archives.'),
      cache: bool("Keep a copy in the agent's shared cache."),
      outputFile: str('File name in the sandbox; defaults to the last path segment.', {
        maxLength: 255,
      }),
    },
    { required: ['value'] },
  );
}

/** The Task kind. */
export const taskKind: KindDefinition = {
  kind: 'Task',
  plural: 'tasks',
  singular: 'task',
  shortNames: ['mtask', 'mt'],
  scope: 'Namespaced',
  categories: ['mezzo'],
  description:
    'A Mezzo task: a command with resources, placed on an agent by its framework (the default framework when none is named) and run there in its own cgroup.',
  spec: obj(
    'What to run and what it needs.',
    {
      framework: str(
        'Name of the Framework (same namespace) that places the task; empty: the default framework.',
        { maxLength: 253 },
      ),
      role: str("Role the resources are allocated to; defaults to the framework's first role.", {
        pattern: ROLE_NAME_PATTERN,
        maxLength: 253,
      }),
      command: str('Shell command, run by /bin/sh -c.', { maxLength: 32768 }),
      args: list(
        'Program and arguments, run without a shell.',
        str('An argument.', { maxLength: 4096 }),
        {
          minItems: 1,
          maxItems: 256,
        },
      ),
      env: map('Environment variables.', str('Value.', { maxLength: 8192 }), {
        maxProperties: 128,
      }),
      user: str("Unix user to run as; defaults to the agent's configured user.", { maxLength: 64 }),
      uris: list('Files fetched into the sandbox.', uri(), { maxItems: 32 }),
      resources: taskResources(),
      constraints: list('Placement rules on agent attributes.', constraint(), { maxItems: 16 }),
      healthCheck: healthCheck(),
      killGracePeriodSeconds: killGracePeriod(),
      labels: map(
        'Labels passed to the framework with the task.',
        str('Value.', { maxLength: 256 }),
        {
          maxProperties: 64,
        },
      ),
    },
    {
      required: ['resources'],
      'x-kubernetes-validations': [
        {
          rule: 'has(self.command) != has(self.args)',
          message: 'set exactly one of command (a shell string) or args (an argv list)',
        },
        {
          rule: "!has(self.healthCheck) || self.healthCheck.type == 'COMMAND' || has(self.healthCheck.port) || !has(self.healthCheck.portIndex) || (has(self.resources.ports) && self.healthCheck.portIndex < self.resources.ports)",
          message: "healthCheck.portIndex must name one of the task's resources.ports",
        },
        { rule: 'self == oldSelf', message: "a task's spec is immutable; delete and re-create it" },
      ],
    },
  ),
  status: obj('What happened to the task (written by the controller).', {
    state: oneOf('Latest Mesos task state.', [...TASK_STATES]),
    reason: str('Mesos reason for the state, e.g. REASON_CONTAINER_LIMITATION_MEMORY.'),
    message: str('Human-readable detail.'),
    frameworkId: str('ID of the framework that launched it.'),
    taskId: str('The Mesos task ID it runs as.'),
    agentId: str('ID of the agent running it.'),
    nodeName: str('Kubernetes node of that agent.'),
    hostname: str('Hostname of that agent.'),
    ports: list('Host ports assigned, in PORT0, PORT1 ... order.', int('Port.')),
    startTime: time('When it reached TASK_RUNNING.'),
    finishTime: time('When it reached a terminal state.'),
    exitCode: int('Exit code of the command, for states caused by its exit.'),
    healthy: bool('Latest health check result.'),
    conditions: conditions(),
    observedGeneration: int('Generation the status describes.'),
  }),
  printerColumns: [
    { name: 'State', type: 'string', jsonPath: '.status.state', description: 'Mesos task state' },
    { name: 'Agent', type: 'string', jsonPath: '.status.hostname', description: 'Agent hostname' },
    { name: 'CPUs', type: 'number', jsonPath: '.spec.resources.cpus', description: 'CPU cores' },
    { name: 'Mem', type: 'string', jsonPath: '.spec.resources.mem', description: 'Memory' },
    {
      name: 'Exit',
      type: 'integer',
      jsonPath: '.status.exitCode',
      description: 'Exit code',
      priority: 1,
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.reason',
      description: 'State reason',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
