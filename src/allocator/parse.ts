/**
 * Parsers for the two text forms resources arrive in: Mesos' agent flag syntax
 * (`cpus:2;mem:1024;ports:[31000-32000];disk(eng):10`) and Kubernetes quantities
 * (`500m`, `4Gi`). Errors are {@link ValidationError}s that name the offending item and
 * say what was expected, because operators type these by hand.
 */
import { ValidationError } from '../shared/errors.js';
import { scalarProblem, toMilli } from './fixed.js';
import {
  parseQuantity as parseKubernetesQuantity,
  QuantityParseError,
  type Quantity,
} from '../api/quantity.js';
import { makeEntry, normalizeRanges, type Entry, type Range } from './resource-entry.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ROLE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Checks a role name (`eng`, `eng/backend`); throws a ValidationError otherwise. */
export function validateRole(role: string, path: string): void {
  if (role === '*') return;
  if (!ROLE.test(role) || role.split('/').some((s) => s === '.' || s === '..')) {
    throw new ValidationError(
      path,
      `invalid role "${role}": use letters, digits, '_', '-', '.' and '/' between levels`,
    );
  }
}

function parseScalar(text: string, path: string, name: string): number {
  if (!NUMBER.test(text)) {
    throw new ValidationError(path, `${name}: "${text}" is not a number`);
  }
  const v = Number(text);
  const problem = scalarProblem(v);
  if (problem !== undefined) throw new ValidationError(path, `${name}: ${text} ${problem}`);
  return toMilli(v);
}

function parseInteger(text: string, path: string, name: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) {
    throw new ValidationError(path, `${name}: range bound "${t}" is not a non-negative integer`);
  }
  const n = Number(t);
  // Beyond 2^53 two bounds read as one number: ranges would silently merge or overlap.
  if (!Number.isSafeInteger(n))
    throw new ValidationError(path, `${name}: range bound ${t} is too large`);
  return n;
}

function parseRanges(body: string, path: string, name: string): Range[] {
  const inner = body.trim();
  if (inner === '') return [];
  const out: Range[] = [];
  for (const part of inner.split(',')) {
    const bounds = part.split('-');
    if (bounds.length > 2 || (bounds[0] ?? '').trim() === '') {
      throw new ValidationError(path, `${name}: "${part.trim()}" is not a range like 31000-32000`);
    }
    const begin = parseInteger(bounds[0] ?? '', path, name);
    const end = bounds.length === 2 ? parseInteger(bounds[1] ?? '', path, name) : begin;
    if (end < begin) {
      throw new ValidationError(path, `${name}: range ${begin}-${end} ends before it begins`);
    }
    out.push([begin, end]);
  }
  return normalizeRanges(out);
}

/**
 * Parses Mesos' resource text: items separated by `;`, each `name[(role)]:value` where
 * value is a number, `[b-e,...]` ranges or `{a,b}` a set. `(*)` means unreserved; a role
 * makes a static reservation, as the agent's `--resources` flag does.
 */
export function parseResourceText(text: string): Entry[] {
  const entries: Entry[] = [];
  const items = text.split(';');
  items.forEach((raw, index) => {
    const item = raw.trim();
    if (item === '') {
      if (items.length === 1) return; // '' is the empty resources
      throw new ValidationError(`resources[${index}]`, 'empty item (stray ";")');
    }
    const path = `resources[${index}] "${item}"`;
    const colon = item.indexOf(':');
    if (colon < 0) throw new ValidationError(path, 'expected name:value');
    let head = item.slice(0, colon).trim();
    const value = item.slice(colon + 1).trim();
    let role = '*';
    const paren = head.indexOf('(');
    if (paren >= 0) {
      if (!head.endsWith(')')) throw new ValidationError(path, 'unclosed "(" in role');
      role = head.slice(paren + 1, -1).trim();
      head = head.slice(0, paren).trim();
      validateRole(role, path);
    }
    if (!NAME.test(head)) throw new ValidationError(path, `invalid resource name "${head}"`);
    const reservations = role === '*' ? [] : [{ type: 'STATIC' as const, role }];
    if (value === '') throw new ValidationError(path, `${head}: missing value`);
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) throw new ValidationError(path, `${head}: unclosed "["`);
      const ranges = parseRanges(value.slice(1, -1), path, head);
      entries.push(makeEntry({ name: head, kind: 'ranges', ranges, reservations }));
    } else if (value.startsWith('{')) {
      if (!value.endsWith('}')) throw new ValidationError(path, `${head}: unclosed "{"`);
      const set = value
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const items = [...new Set(set)].sort();
      entries.push(makeEntry({ name: head, kind: 'set', items, reservations }));
    } else {
      entries.push(
        makeEntry({
          name: head,
          kind: 'scalar',
          milli: parseScalar(value, path, head),
          reservations,
        }),
      );
    }
  });
  return entries;
}

/** Resource names whose Kubernetes quantities are bytes, kept by Mesos in MiB. */
export const BYTE_RESOURCES: ReadonlySet<string> = new Set(['mem', 'memory', 'disk', 'storage']);

/**
 * The one bound on every amount read from outside ({@link scalarProblem}: at most
 * MAX_SCALAR units, far inside what fixed-point sums keep exact).
 */
function bounded(milli: number, path: string, name: string, value: string | number): number {
  const problem = scalarProblem(milli / 1000);
  if (problem !== undefined)
    throw new ValidationError(
      path,
      `${name}: ${typeof value === 'string' ? `"${value}"` : String(value)} ${problem}`,
    );
  return milli;
}

/** `q × 1000 / divisor`, rounded half up as {@link toMilli} rounds. */
function milliOf(q: Quantity, divisor: bigint): number {
  const scale = q.scale;
  let num = q.unscaled * 1000n;
  let den = divisor;
  if (scale > 0) den *= 10n ** BigInt(scale);
  else num *= 10n ** BigInt(-scale);
  // Half up: floor((2·num + den) / (2·den)) for non-negative num.
  return Number((2n * num + den) / (2n * den));
}

const MIB = 2n ** 20n;

/**
 * Parses one Kubernetes quantity for resource `name` into milli units of the Mesos unit:
 * cores for cpus (`500m` → 0.5), MiB for mem and disk (`4Gi` → 4096; `1G` → 953.674).
 * Text is read exactly as the apiserver reads a quantity (src/api/quantity.ts), so a
 * plain `"1048576"` for mem is 1048576 bytes (1 MiB), as the CRDs' rules read it; a
 * number is taken in the Mesos unit (so `mem: 1024` is 1024 MiB, as everywhere else in
 * Mezzo). Amounts beyond what fixed-point sums keep exact are refused.
 */
export function parseQuantity(name: string, value: string | number, path: string): number {
  if (typeof value === 'number') {
    return bounded(toMilli(value), path, name, value);
  }
  const text = value.trim();
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([A-Za-z]*)$/.exec(text);
  if (!m) {
    throw new ValidationError(path, `${name}: "${value}" is not a quantity like 500m, 2 or 4Gi`);
  }
  const suffix = m[2] ?? '';
  if (suffix !== '' && !SUFFIXES.has(suffix)) {
    throw new ValidationError(
      path,
      `${name}: unknown suffix "${suffix}" in "${value}" (use m, k, M, G, T, Ki, Mi, Gi, Ti)`,
    );
  }
  let q: Quantity;
  try {
    q = parseKubernetesQuantity(text);
  } catch (err) {
    if (!(err instanceof QuantityParseError)) throw err;
    throw new ValidationError(path, `${name}: "${value}" is not a quantity like 500m, 2 or 4Gi`);
  }
  if (q.sign() < 0) throw new ValidationError(path, `${name}: "${value}" is negative`);
  // Exponents beyond any real amount are refused before exact arithmetic expands them.
  if (q.compareTo(LARGEST) > 0) throw new ValidationError(path, `${name}: "${value}" is too large`);
  // Byte quantities become MiB; everything else keeps its own unit.
  return bounded(milliOf(q, BYTE_RESOURCES.has(name) ? MIB : 1n), path, name, value);
}

const SUFFIXES: ReadonlySet<string> = new Set([
  ...['n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E'],
  ...['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'],
]);
/** Above every amount {@link scalarProblem} allows in any unit (bytes included). */
const LARGEST = parseKubernetesQuantity('1e22');
