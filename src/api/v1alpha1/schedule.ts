/** The Schedule kind: a Chronos-style job run on a calendar or after its parents. */
import type { KindDefinition } from './kind.js';
import { constraint, uri } from './task.js';
import { ROLE_NAME_PATTERN } from './role.js';
import { BUILTIN_DEFAULTS, taskCpus, taskDisk, taskMem } from './resources.js';
import {
  bool,
  conditions,
  int,
  list,
  map,
  obj,
  oneOf,
  str,
  time,
  type CelRule,
  type Schema,
} from './schema.js';

/**
 * One ISO 8601 duration component: up to nine digits (fractions for seconds only).
 * Regexes here go into CEL string literals too, where `\\.` is not a valid escape: a
 * literal dot is written `[.]`.
 */
const N = '[0-9]{1,9}';
/** An ISO 8601 duration, e.g. PT15M or P1D, without anchors. */
const DURATION = `P(${N}Y)?(${N}M)?(${N}W)?(${N}D)?(T(${N}H)?(${N}M)?(${N}([.][0-9]{1,9})?S)?)?`;
/** ISO 8601 duration, e.g. PT15M or P1D (RE2 has no lookahead: emptiness is a CEL rule). */
const ISO_DURATION = `^${DURATION}$`;
/** A duration whose every component is zero, unanchored. */
const Z = '0{1,9}';
const ZERO_DURATION = `P(${Z}Y)?(${Z}M)?(${Z}W)?(${Z}D)?(T(${Z}H)?(${Z}M)?(${Z}([.]0{1,9})?S)?)?`;
/** A duration shorter than one second: zero everything, seconds below 1. */
const SUB_SECOND = `P(${Z}Y)?(${Z}M)?(${Z}W)?(${Z}D)?(T(${Z}H)?(${Z}M)?(${Z}([.][0-9]{1,9})?S)?)?`;
/** A positive ISO 8601 duration: pattern, not empty, not zero. */
const POSITIVE_DURATION: CelRule[] = [
  {
    rule: "self != 'P' && !self.endsWith('T')",
    message: 'must be an ISO 8601 duration such as PT15M or P1D',
  },
  {
    rule: `self == 'P' || self.endsWith('T') || !self.matches('^${ZERO_DURATION}$')`,
    message: 'must be longer than zero',
  },
];

/** ISO 8601 date and time as luxon reads a repeating interval's start. */
const START =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,9})?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?';
/** `R[n]/<start>/<period>`, Chronos' notation. */
const REPEATING = `R[0-9]{0,9}/${START}/${DURATION}`;
/** A cron expression: a macro, or five or six fields (the sixth, first, is seconds). */
const CRON =
  '@(yearly|annually|monthly|weekly|daily|hourly|midnight)|[0-9A-Za-z*?/,#-]{1,64}( +[0-9A-Za-z*?/,#-]{1,64}){4,5}';

/**
 * The shortest period a repeating interval may have. A run is a task placed through an
 * offer, and Mesos' allocator makes offers once per second (its default
 * --allocation_interval), so a shorter period could only pile runs up; a six-field cron
 * expression can say "every second" too, and no less.
 */
export const MIN_SCHEDULE_PERIOD = 'PT1S';

/** Words a run-now request appended to the command for one run (and its retries). */
function runArguments(): Schema {
  return list(
    'Arguments appended to the command for this run only (a run-now request with arguments).',
    str('One argument, passed verbatim.', { maxLength: 4096 }),
    { maxItems: 256 },
  );
}

/** One run of a schedule, as status records it; `extra` adds fields. */
function run(extra: Record<string, Schema> = {}): Schema {
  return obj('A run.', {
    id: str('Run ID: <name>-<scheduled epoch seconds>-<attempt>.'),
    task: str('Task ID.'),
    scheduledTime: time('When it was due.'),
    attempt: int('Attempt number.'),
    trigger: str('schedule, dependency, manual or retry.'),
    startedAt: time('Start.'),
    finishedAt: time('End.'),
    result: str('Succeeded, Failed or Killed.'),
    message: str('Detail.'),
    arguments: runArguments(),
    ...extra,
  });
}

/** The Schedule kind. */
export const scheduleKind: KindDefinition = {
  kind: 'Schedule',
  plural: 'schedules',
  singular: 'schedule',
  shortNames: ['msched'],
  scope: 'Namespaced',
  categories: ['mezzo'],
  description:
    'A Chronos-style job: a command run on an ISO 8601 repeating interval or a cron expression, or after all of its parents have succeeded, with retries and a concurrency policy.',
  spec: obj(
    'When and what to run.',
    {
      schedule: str(
        'R[n]/<start>/<period> (e.g. R/2026-03-15T11:44:03Z/PT24H, a period of at least 1s) or a cron expression (5 fields, or 6 with seconds first).',
        {
          maxLength: 256,
          'x-kubernetes-validations': [
            {
              rule: `self.matches('^(${REPEATING})$') || self.matches('^ *(${CRON}) *$')`,
              message:
                'must be an ISO 8601 repeating interval R[n]/<start>/<period> (e.g. R/2026-03-15T11:44:03Z/PT24H) or a cron expression of 5 or 6 fields',
            },
            {
              rule: `!self.matches('^R[0-9]{0,9}/[^/]*/${SUB_SECOND}$')`,
              message: `the repeating interval's period must be at least 1s (${MIN_SCHEDULE_PERIOD})`,
            },
          ],
        },
      ),
      timeZone: str('IANA time zone for the schedule, e.g. Europe/Rome.', {
        default: 'UTC',
        maxLength: 64,
        pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$',
      }),
      parents: list(
        'Schedules (same namespace) that must all succeed first.',
        str('Name.', {
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        }),
        {
          maxItems: 32,
          'x-kubernetes-list-type': 'set',
        },
      ),
      epsilon: str('How late a missed run may still start (ISO 8601 duration).', {
        pattern: ISO_DURATION,
        default: 'PT1M',
        maxLength: 64,
        'x-kubernetes-validations': POSITIVE_DURATION,
      }),
      command: str('Shell command.', { maxLength: 32768 }),
      args: list('Program and arguments, without a shell.', str('Argument.', { maxLength: 4096 }), {
        minItems: 1,
        maxItems: 256,
      }),
      cpus: taskCpus('CPU.', { default: BUILTIN_DEFAULTS.cpus }),
      mem: taskMem('Memory, at least 1Mi.', { default: BUILTIN_DEFAULTS.mem }),
      disk: taskDisk('Disk.'),
      role: str('Role to run under.', { pattern: ROLE_NAME_PATTERN, maxLength: 253 }),
      env: map('Environment variables.', str('Value.', { maxLength: 8192 }), {
        maxProperties: 128,
      }),
      uris: list('Files fetched into the sandbox.', uri(), { maxItems: 32 }),
      constraints: list('Placement rules.', constraint(), { maxItems: 16 }),
      retries: int('Extra attempts after a failure.', { minimum: 0, maximum: 100, default: 2 }),
      retryBackoff: str('First retry delay (ISO 8601 duration); doubles per attempt.', {
        pattern: ISO_DURATION,
        default: 'PT30S',
        maxLength: 64,
        'x-kubernetes-validations': POSITIVE_DURATION,
      }),
      concurrencyPolicy: oneOf(
        'A run due while the previous one still runs: Allow, Forbid (skip) or Replace.',
        ['Allow', 'Forbid', 'Replace'],
      ),
      owner: obj('Who is told of failures (an Event and a log line always).', {
        name: str('Owner name or e-mail.', { maxLength: 253 }),
        webhook: str('URL that receives a JSON POST on failure.', {
          pattern: '^https?://',
          maxLength: 2048,
        }),
      }),
      disabled: bool('Do not run (missed runs are recorded).'),
      historyLimit: int('Recent runs kept in status.', { minimum: 0, maximum: 100, default: 10 }),
    },
    {
      'x-kubernetes-validations': [
        {
          rule: 'has(self.command) != has(self.args)',
          message: 'set exactly one of command or args',
        },
        {
          rule: 'has(self.schedule) || (has(self.parents) && size(self.parents) > 0)',
          message: 'set a schedule or at least one parent',
        },
      ],
    },
  ),
  status: obj('Runs of the schedule (written by the schedules framework).', {
    nextRun: time('Next scheduled run.'),
    lastSuccess: time('Latest successful run.'),
    lastFailure: time('Latest failed run.'),
    successCount: int('Successful runs.'),
    errorCount: int('Failed runs (each attempt).'),
    running: list(
      'Runs in progress: recorded before their task is launched (write-ahead), so a restarted framework neither relaunches nor forgets them.',
      run({
        phase: oneOf('Launching (recorded, not yet accepted) or Launched.', [
          'Launching',
          'Launched',
        ]),
      }),
    ),
    history: list('Recent runs, newest first.', run()),
    missed: list(
      'Recent runs that did not happen, newest first.',
      obj('A missed run.', {
        scheduledTime: time('When it was due.'),
        reason: str('OutsideEpsilon, Superseded, StillRunning or Disabled.'),
        recordedAt: time('When the framework noticed.'),
      }),
    ),
    lastRunStart: time('Start of the latest run (parents must succeed after it).'),
    pendingRetry: obj('A retry waiting for its backoff.', {
      at: time('When it starts.'),
      scheduledTime: time('The occurrence it retries.'),
      attempt: int('Attempt number it will be.'),
      arguments: runArguments(),
    }),
    manualRequest: time('A run-now request not yet served.'),
    manualArguments: runArguments(),
    handledRunNow: str('The last mezzo.dev/run-now annotation value acted on.', {
      maxLength: 256,
    }),
    observedSchedule: str('The schedule and time zone nextRun was computed from.', {
      maxLength: 512,
    }),
    observedGeneration: int('Generation the status describes.'),
    conditions: conditions(),
  }),
  printerColumns: [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule', description: 'When it runs' },
    { name: 'Next', type: 'date', jsonPath: '.status.nextRun', description: 'Next run' },
    {
      name: 'Last Success',
      type: 'date',
      jsonPath: '.status.lastSuccess',
      description: 'Latest success',
    },
    { name: 'Errors', type: 'integer', jsonPath: '.status.errorCount', description: 'Failed runs' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
