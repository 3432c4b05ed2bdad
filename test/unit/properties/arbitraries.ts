/**
 * Generators of Mezzo objects for the property tests: valid objects of every kind, the
 * ways to break one field of them (with the field the rejection must name), and hostile
 * shapes that are not objects of any kind.
 */
import fc from 'fast-check';

export const API = 'mezzo.dev/v1alpha1';

type Obj = Record<string, unknown>;

/** Keeps only the keys whose value is defined (optional fields left out). */
function defined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined });

/** Strings of `min`..`max` characters from `chars` (cheaper than regex-driven strings). */
export function word(chars: string, min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...Array.from(chars)), { minLength: min, maxLength: max })
    .map((cs) => cs.join(''));
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}0123456789`;
/** A DNS-1123 subdomain label: lower-case alphanumeric ends, dashes inside. */
export const dnsName = fc
  .tuple(word(ALNUM, 1, 1), word(`${ALNUM}-`, 0, 30), word(ALNUM, 0, 1))
  .map(([a, b, c]) => (c === '' ? a : `${a}${b}${c}`));
const roleSegment = fc
  .tuple(word(`${ALNUM}_`, 1, 1), word(`${ALNUM}_.-`, 0, 10))
  .map(([a, b]) => a + b)
  .filter((s) => s !== '.' && s !== '..');
const roleName = fc.array(roleSegment, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
const cpus = fc.double({ min: 0.01, max: 4096, noNaN: true });
const mem = fc.oneof(
  fc.integer({ min: 1, max: 16 * 2 ** 20 }),
  fc.integer({ min: 1, max: 16 * 2 ** 20 }).map((n) => `${n}Mi`),
  fc.integer({ min: 1, max: 16384 }).map((n) => `${n}Gi`),
  fc.integer({ min: 2 ** 20, max: 2 ** 40 }).map(String),
);
const disk = fc.oneof(fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom('0', '10Gi', '1Pi'));
const text = (max: number) => fc.string({ maxLength: max });

const valueOf: Record<string, fc.Arbitrary<string | undefined>> = {
  EQUALS: text(20),
  LIKE: fc.constantFrom('r[12]', '.*', 'rack-[0-9]+'),
  UNLIKE: fc.constantFrom('r[12]', 'x'),
  MAX_PER: fc.integer({ min: 1, max: 999999999 }).map(String),
  GROUP_BY: optional(fc.integer({ min: 1, max: 99 }).map(String)),
  UNIQUE: optional(text(20)),
  CLUSTER: optional(text(20)),
};
const constraint = fc
  .constantFrom(...Object.keys(valueOf))
  .chain((operator) =>
    fc.record({
      attribute: fc.tuple(word(LOWER, 1, 1), word(`${ALNUM}_.-`, 0, 20)).map(([a, b]) => a + b),
      operator: fc.constant(operator),
      value: valueOf[operator] ?? fc.constant(undefined),
    }),
  )
  .map(defined);

const run = fc.oneof(
  fc.record({ command: text(100) }),
  fc.record({ args: fc.array(text(20), { minLength: 1, maxLength: 5 }) }),
);
const env = optional(
  fc.dictionary(word('ABCDEFGHIJKLMNOPQRSTUVWXYZ_', 1, 10), text(30), { maxKeys: 5 }),
);

function object(kind: string, spec: fc.Arbitrary<Obj>): fc.Arbitrary<Obj> {
  return fc.record({
    apiVersion: fc.constant(API),
    kind: fc.constant(kind),
    metadata: fc.record({ name: dnsName }),
    spec,
  });
}

const task = object(
  'Task',
  fc
    .tuple(
      run,
      fc.record({
        resources: fc
          .record({
            cpus,
            mem,
            disk: optional(disk),
            gpus: optional(fc.integer({ min: 0, max: 256 })),
            ports: optional(fc.integer({ min: 0, max: 100 })),
          })
          .map(defined),
        env,
        constraints: optional(fc.array(constraint, { maxLength: 4 })),
      }),
    )
    .map(([r, rest]) => defined({ ...r, ...rest })),
);

const app = object(
  'App',
  fc
    .tuple(
      run,
      fc.record({
        instances: optional(fc.integer({ min: 0, max: 10000 })),
        cpus: optional(cpus),
        mem: optional(mem),
        env,
        constraints: optional(fc.array(constraint, { maxLength: 4 })),
        portDefinitions: optional(
          fc.array(fc.record({ port: fc.integer({ min: 0, max: 65535 }) }), { maxLength: 4 }),
        ),
        upgradeStrategy: optional(
          fc.record({
            minimumHealthCapacity: fc.double({ min: 0, max: 1, noNaN: true }),
            maximumOverCapacity: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
        ),
      }),
    )
    .map(([r, rest]) => defined({ ...r, ...rest })),
);

const digits = (min: number, max: number) => fc.integer({ min, max });
const two = (n: number) => String(n).padStart(2, '0');
/** A period of at least one second: some unit above seconds, or seconds ≥ 1. */
const period = fc.oneof(
  fc.constantFrom('Y', 'M', 'W', 'D').chain((u) => digits(1, 999).map((n) => `P${n}${u}`)),
  fc.constantFrom('H', 'M').chain((u) => digits(1, 999).map((n) => `PT${n}${u}`)),
  fc
    .tuple(digits(1, 99999), fc.option(digits(0, 999)))
    .map(([s, f]) => `PT${s}${f === null ? '' : `.${f}`}S`),
);
const start = fc
  .tuple(
    digits(2000, 2100),
    digits(1, 12),
    digits(1, 28),
    digits(0, 23),
    digits(0, 59),
    digits(0, 59),
  )
  .map(([y, mo, d, h, mi, s]) => `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}Z`);
const cronField = fc.constantFrom('*', '*/5', '0', '1-5', '1,2,3', '30');
const scheduleText = fc.oneof(
  fc
    .tuple(fc.option(digits(0, 999)), start, period)
    .map(([n, s, p]) => `R${n === null ? '' : n}/${s}/${p}`),
  fc.array(cronField, { minLength: 5, maxLength: 6 }).map((f) => f.join(' ')),
  fc.constantFrom('@daily', '@hourly', '@weekly'),
);
const duration = fc.oneof(period, fc.constant('PT1M'));

const schedule = object(
  'Schedule',
  fc
    .tuple(
      run,
      fc.oneof(
        fc.record({ schedule: scheduleText }),
        fc.record({ parents: fc.uniqueArray(dnsName, { minLength: 1, maxLength: 4 }) }),
      ),
      fc.record({
        epsilon: optional(duration),
        retryBackoff: optional(duration),
        retries: optional(fc.integer({ min: 0, max: 100 })),
        concurrencyPolicy: optional(fc.constantFrom('Allow', 'Forbid', 'Replace')),
        cpus: optional(cpus),
        mem: optional(mem),
      }),
    )
    .map(([r, when, rest]) => defined({ ...r, ...when, ...rest })),
);

const role = object(
  'Role',
  fc
    .record({
      weight: optional(fc.double({ min: 0.0001, max: 1e6, noNaN: true })),
      quota: optional(
        fc
          .tuple(
            fc.double({ min: 0, max: 1000, noNaN: true }),
            fc.double({ min: 0, max: 1000, noNaN: true }),
          )
          .map(([a, b]) => ({
            guarantee: { cpus: Math.min(a, b) },
            limit: { cpus: Math.max(a, b) },
          })),
      ),
    })
    .map(defined),
);

const framework = object(
  'Framework',
  fc.record({
    roles: fc.uniqueArray(roleName, { minLength: 1, maxLength: 4 }),
    scheduler: fc.oneof(
      fc.constant({ kind: 'External' }),
      fc.constantFrom('default', 'apps', 'schedules').map((name) => ({ kind: 'BuiltIn', name })),
    ),
  }),
);

const agent = object('Agent', fc.record({ nodeName: dnsName }).map(defined));

/** A valid object of some kind. */
export const validObject: fc.Arbitrary<Obj> = fc.oneof(task, app, schedule, role, framework, agent);

/** A break of one field: the broken object and the field path its rejection names. */
export interface Broken {
  object: Obj;
  field: string;
}

function withSpec(o: Obj, change: (spec: Obj) => Obj): Obj {
  return { ...o, spec: change({ ...(o['spec'] as Obj) }) };
}

/**
 * Sets resource `name` to each of `values`: in a Task's resources, or (unless
 * `taskOnly`) at the top of an App's or Schedule's spec.
 */
function resourceBreak(
  name: string,
  values: fc.Arbitrary<unknown>,
  taskOnly = false,
): fc.Arbitrary<(o: Obj) => Broken | undefined> {
  return values.map((v) => (o: Obj) => {
    if (o['kind'] === 'Task') {
      return {
        object: withSpec(o, (s) => ({
          ...s,
          resources: { ...(s['resources'] as Obj), [name]: v },
        })),
        field: `spec.resources.${name}`,
      };
    }
    if (taskOnly || (o['kind'] !== 'App' && o['kind'] !== 'Schedule')) return undefined;
    return { object: withSpec(o, (s) => ({ ...s, [name]: v })), field: `spec.${name}` };
  });
}

const breaks: fc.Arbitrary<(o: Obj) => Broken | undefined>[] = [
  resourceBreak(
    'cpus',
    fc.oneof(
      fc.double({ min: -1e6, max: 0.0099, noNaN: true }),
      fc.double({ min: 4096.001, max: 1e12, noNaN: true }),
    ),
  ),
  resourceBreak(
    'mem',
    fc.oneof(
      fc.integer({ min: -1e9, max: 0 }),
      fc.integer({ min: 16 * 2 ** 20 + 1, max: 2 ** 40 }),
      fc.constantFrom('0', '1023Ki', '17Ti', 'lots', '-1Mi', '1e3Mi'),
    ),
  ),
  resourceBreak(
    'ports',
    fc.oneof(
      fc.integer({ min: 101, max: 2 ** 31 }),
      fc.integer({ min: -(2 ** 31), max: -1 }),
      fc.double({ min: 0.1, max: 99.9, noInteger: true }),
    ),
    true,
  ),
  resourceBreak(
    'gpus',
    fc.oneof(fc.integer({ min: -1000, max: -1 }), fc.integer({ min: 257, max: 1e6 })),
    true,
  ),
  fc.constant((o: Obj): Broken | undefined =>
    ['Task', 'App', 'Schedule'].includes(String(o['kind']))
      ? { object: withSpec(o, ({ command: _c, args: _a, ...s }) => s), field: 'spec' }
      : undefined,
  ),
  fc
    .oneof(text(10), fc.integer(), fc.constant(null))
    .map(
      (v) => (o) =>
        o['kind'] === 'Schedule'
          ? { object: withSpec(o, (s) => ({ ...s, parents: v })), field: 'spec.parents' }
          : undefined,
    ),
  fc.tuple(start, fc.integer({ min: 0, max: 999 })).map(
    ([s, ms]) =>
      (o: Obj) =>
        o['kind'] === 'Schedule'
          ? {
              object: withSpec(o, (sp) => ({
                ...sp,
                schedule: `R/${s}/PT0.${String(ms).padStart(3, '0')}S`,
              })),
              field: 'spec.schedule',
            }
          : undefined,
  ),
  fc
    .integer({ min: 10001, max: 1e9 })
    .map(
      (v) => (o) =>
        o['kind'] === 'App'
          ? { object: withSpec(o, (s) => ({ ...s, instances: v })), field: 'spec.instances' }
          : undefined,
    ),
  fc
    .tuple(word('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1, 1), word(ALNUM, 0, 8))
    .map(([a, b]) => a + b)
    .map((name) => (o: Obj) => ({ object: { ...o, metadata: { name } }, field: 'metadata.name' })),
  word(LOWER, 1, 8).map((extra) => (o: Obj) => ({
    object: withSpec(o, (s) => ({ ...s, [`zz${extra}`]: 1 })),
    field: `spec.zz${extra}`,
  })),
  fc
    .oneof(fc.string(), fc.integer(), fc.array(fc.integer()))
    .map((v) => (o: Obj) => ({ object: { ...o, spec: v }, field: 'spec' })),
];

/** A valid object with one field broken, and that field. */
export const brokenObject: fc.Arbitrary<Broken> = fc
  .tuple(validObject, fc.oneof(...breaks))
  .map(([o, b]) => b(o))
  .filter((b): b is Broken => b !== undefined);

/** Anything shaped more or less like an object: real kinds, wrong types, hostile keys. */
export const hostileObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record(
    {
      apiVersion: fc.oneof(fc.constant(API), fc.anything()),
      kind: fc.oneof(
        fc.constantFrom(
          'Task',
          'App',
          'Schedule',
          'Role',
          'Framework',
          'Agent',
          '__proto__',
          'constructor',
        ),
        fc.anything(),
      ),
      metadata: fc.oneof(fc.record({ name: fc.oneof(dnsName, fc.anything()) }), fc.anything()),
      spec: fc.oneof(
        fc.jsonValue(),
        fc.anything({ withObjectString: true, withNullPrototype: true }),
      ),
      status: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  validObject.chain((o) =>
    fc
      .tuple(
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
        fc.jsonValue(),
      )
      .map(([k, v]) => {
        // JSON.parse makes "__proto__" an own key, as a request body would.
        const extra = JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v)}}`) as Obj;
        return { ...o, spec: { ...extra, ...(o['spec'] as Obj) } };
      }),
  ),
);
