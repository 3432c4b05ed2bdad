/**
 * The fields Task, App and Schedule specs share — what to run (command or args), its
 * environment, files to fetch, placement constraints, a health check — read as hostile
 * input with {@link ./spec-reader.js}. Each reader returns the typed value the SDK takes
 * or throws a ValidationError naming the field, which `readSpec` turns into a problem.
 */
import { validateConstraint, type Constraint } from '../sdk/constraints.js';
import type { FetchUri, HealthCheckSpec } from '../sdk/tasks.js';
import { ValidationError } from '../shared/errors.js';
import {
  describe,
  fields,
  optBool,
  optList,
  optNumber,
  optString,
  optStringMap,
  stringItem,
  type Fields,
} from './spec-reader.js';

/** What to run: a shell command or an argv list. */
export type RunCommand = string | string[];

/** Exactly one of `command` (a non-empty shell string) or `args` (a non-empty argv). */
export function readCommand(o: Fields, path: string): RunCommand {
  const command = optString(o, 'command', path, 1 << 20);
  const args = optList(o, 'args', path, 4096, stringItem(1 << 16));
  if ((command === undefined) === (args === undefined)) {
    throw new ValidationError(path, 'set exactly one of command or args');
  }
  if (command !== undefined) {
    if (command.trim() === '') throw new ValidationError(`${path}.command`, 'is empty');
    return command;
  }
  if (!args || args.length === 0 || args[0] === '') {
    throw new ValidationError(`${path}.args`, 'needs at least the program to run');
  }
  return args;
}

/** Environment variables. */
export function readEnv(o: Fields, path: string): Record<string, string> | undefined {
  return optStringMap(o, 'env', path, 4096);
}

/** Labels. */
export function readLabels(o: Fields, path: string): Record<string, string> | undefined {
  return optStringMap(o, 'labels', path, 1024);
}

/** Files fetched into the sandbox. */
export function readUris(o: Fields, path: string): FetchUri[] | undefined {
  return optList(o, 'uris', path, 256, (v, at) => {
    const u = fields(v, at);
    const value = optString(u, 'value', at, 8192);
    if (value === undefined || value === '')
      throw new ValidationError(`${at}.value`, 'is required');
    const outputFile = optString(u, 'outputFile', at, 255);
    const executable = optBool(u, 'executable', at);
    const extract = optBool(u, 'extract', at);
    const cache = optBool(u, 'cache', at);
    return {
      value,
      ...(outputFile !== undefined ? { outputFile } : {}),
      ...(executable !== undefined ? { executable } : {}),
      ...(extract !== undefined ? { extract } : {}),
      ...(cache !== undefined ? { cache } : {}),
    };
  });
}

const OPERATORS: ReadonlySet<string> = new Set([
  'UNIQUE',
  'CLUSTER',
  'GROUP_BY',
  'LIKE',
  'UNLIKE',
  'MAX_PER',
  'EQUALS',
]);

/** Placement constraints (`attribute`, Marathon `operator`, `value`), as the SDK's. */
export function readConstraints(o: Fields, path: string): Constraint[] | undefined {
  return optList(o, 'constraints', path, 64, (v, at) => {
    const c = fields(v, at);
    const field = optString(c, 'attribute', at, 253);
    const operator = optString(c, 'operator', at, 16);
    const value = optString(c, 'value', at, 1024);
    if (field === undefined || field === '')
      throw new ValidationError(`${at}.attribute`, 'is required');
    if (operator === undefined || !OPERATORS.has(operator)) {
      throw new ValidationError(
        `${at}.operator`,
        `must be one of ${[...OPERATORS].join(', ')}, not ${describe(operator)}`,
      );
    }
    const out: Constraint = {
      field,
      operator: operator as Constraint['operator'],
      ...(value !== undefined ? { value } : {}),
    };
    validateConstraint(out, at);
    return out;
  });
}

/** A health check, read from the object at `path`. */
export function readHealthCheck(v: unknown, path: string): HealthCheckSpec {
  const h = fields(v, path);
  const type = optString(h, 'type', path, 16);
  if (type !== 'COMMAND' && type !== 'HTTP' && type !== 'TCP') {
    throw new ValidationError(
      `${path}.type`,
      `must be COMMAND, HTTP or TCP, not ${describe(type)}`,
    );
  }
  const command = optString(h, 'command', path, 1 << 16);
  if (type === 'COMMAND' && !command) throw new ValidationError(`${path}.command`, 'is required');
  const path_ = optString(h, 'path', path, 2048);
  const portIndex = optNumber(h, 'portIndex', path, { integer: true, min: 0, max: 65535 });
  const port = optNumber(h, 'port', path, { integer: true, min: 1, max: 65535 });
  const secs = (key: string) => optNumber(h, key, path, { min: 0, max: 86_400 });
  const grace = secs('gracePeriodSeconds');
  const interval = optNumber(h, 'intervalSeconds', path, { min: 0.1, max: 86_400 });
  const timeout = optNumber(h, 'timeoutSeconds', path, { min: 0.1, max: 86_400 });
  const failures = optNumber(h, 'consecutiveFailures', path, { integer: true, min: 1, max: 1000 });
  const kill = optBool(h, 'killWhenUnhealthy', path);
  return {
    type,
    ...(command !== undefined ? { command } : {}),
    ...(path_ !== undefined ? { path: path_ } : {}),
    ...(portIndex !== undefined ? { portIndex } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(interval !== undefined ? { intervalSeconds: interval } : {}),
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    ...(failures !== undefined ? { consecutiveFailures: failures } : {}),
    ...(kill !== undefined ? { killWhenUnhealthy: kill } : {}),
  };
}

/** Time between SIGTERM and SIGKILL, in seconds (at most a day). */
export function readKillGrace(o: Fields, path: string): number | undefined {
  return optNumber(o, 'killGracePeriodSeconds', path, { min: 0, max: 86_400 });
}
