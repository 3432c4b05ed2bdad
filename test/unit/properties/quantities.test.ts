// Resource strings and quantities: Kubernetes quantities (src/api/quantity.ts), the
// allocator's reading of them (src/allocator/parse.ts) and of Mesos' resource text, and
// scalar quantity arithmetic (src/allocator/quantities.ts). Any text gets a value or a
// named error; what the CRDs accept, the allocator reads the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseQuantity, QuantityParseError } from '../../../src/api/quantity.js';
import { validateObject } from '../../../src/api/validate.js';
import {
  parseQuantity as allocatorQuantity,
  parseResourceText,
} from '../../../src/allocator/parse.js';
import { Resources } from '../../../src/allocator/resources.js';
import {
  addInto,
  positiveDifference,
  quantitiesContain,
} from '../../../src/allocator/quantities.js';
import { ValidationError } from '../../../src/shared/errors.js';
import { word } from './arbitraries.js';
import { fuzz } from './fuzz.js';

const QUANTITY_CHARS = '0123456789.+-eEinumkKMGTPx ';
/** Text near the quantity grammar: digits, points, signs, suffix letters, junk. */
const quantityish = fc.oneof(word(QUANTITY_CHARS, 0, 12), fc.string({ maxLength: 12 }));

test('any text is a quantity or a QuantityParseError, never another exception', () => {
  fc.assert(
    fc.property(quantityish, (s) => {
      try {
        const q = parseQuantity(s);
        assert.ok(q.compareTo(q) === 0);
      } catch (err) {
        assert.ok(err instanceof QuantityParseError, String(err));
      }
    }),
    fuzz(500),
  );
});

const SUFFIX: Record<string, bigint> = {
  '': 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
};
const INT64_MAX = 2n ** 63n - 1n;
/** A whole quantity and its exact value: n × the suffix's factor (binary ones capped at 2^63-1). */
const whole = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.constantFrom(...Object.keys(SUFFIX)))
  .map(([n, suffix]) => {
    const exact = n * (SUFFIX[suffix] ?? 1n);
    const value = suffix.endsWith('i') && exact > INT64_MAX ? INT64_MAX : exact;
    return { text: `${n}${suffix}`, value };
  });

test('quantities compare as their exact values do', () => {
  fc.assert(
    fc.property(whole, whole, (a, b) => {
      const want = a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
      assert.equal(parseQuantity(a.text).compareTo(parseQuantity(b.text)), want);
      assert.equal(parseQuantity(a.text).asInteger(), a.value < 2n ** 63n ? a.value : undefined);
    }),
    fuzz(300),
  );
});

test('the allocator reads any text or number as a safe milli amount or a ValidationError', () => {
  const value = fc.oneof(
    quantityish,
    fc.double(),
    fc.integer(),
    fc.constantFrom(Infinity, -Infinity, NaN, -0, 1e300, '1e400', '9'.repeat(40)),
  );
  fc.assert(
    fc.property(fc.constantFrom('cpus', 'mem', 'disk', 'gpus', 'custom'), value, (name, v) => {
      try {
        const milli = allocatorQuantity(name, v, 'p');
        assert.ok(Number.isSafeInteger(milli) && milli >= 0, `${name} ${String(v)} -> ${milli}`);
      } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
      }
    }),
    fuzz(500),
  );
});

/** Quantity text of the shape the CRDs' pattern allows. */
const crdQuantity = fc
  .tuple(
    fc.nat({ max: 99999999 }),
    fc.option(fc.nat({ max: 999 })),
    fc.constantFrom('', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'e6', 'E'),
  )
  .map(([n, f, s]) => `${n}${f === null ? '' : `.${f}`}${s}`);

test('memory the CRD accepts is the memory the allocator offers for (one parser)', () => {
  fc.assert(
    fc.property(crdQuantity, (mem) => {
      const task = {
        apiVersion: 'mezzo.dev/v1alpha1',
        kind: 'Task',
        metadata: { name: 't' },
        spec: { command: 'x', resources: { cpus: 1, mem } },
      };
      if (!validateObject(task).ok) return;
      // Accepted: at least 1Mi and at most 16Ti as the apiserver reads it, so the
      // allocator must read between 1 and 16·2^20 MiB, and the same amount.
      const milli = allocatorQuantity('mem', mem, 'spec.resources.mem');
      const mib = parseQuantity(mem).asApproximateFloat() / 2 ** 20;
      assert.ok(
        Math.abs(milli - mib * 1000) <= 1,
        `${mem}: ${milli} milli-MiB, apiserver ${mib} MiB`,
      );
      assert.ok(milli >= 1000 && milli <= 16 * 2 ** 20 * 1000);
    }),
    fuzz(500),
  );
});

const NAME_CHARS = 'abcxyz_.-';
const resName = fc.tuple(word('abcxyz_', 1, 1), word(NAME_CHARS, 0, 6)).map(([a, b]) => a + b);
const role = fc.oneof(
  fc.constant(''),
  word('abc', 1, 4).map((r) => `(${r})`),
);
const item = fc.oneof(
  fc.integer({ min: 0, max: 1e6 }).map((n) => String(n / 1000)),
  fc
    .array(fc.tuple(fc.nat({ max: 70000 }), fc.nat({ max: 100 })), { maxLength: 4 })
    .map((rs) => `[${rs.map(([b, l]) => `${b}-${b + l}`).join(',')}]`),
  fc.array(word('abcdef01', 1, 5), { maxLength: 4 }).map((xs) => `{${xs.join(',')}}`),
);
const resourceText = fc
  .array(
    fc.tuple(resName, role, item).map(([n, r, v]) => `${n}${r}:${v}`),
    { maxLength: 6 },
  )
  .map((items) => items.join(';'));

test('Mesos resource text: well-formed text round-trips through toString, any text parses or names its error', () => {
  fc.assert(
    fc.property(resourceText, (text) => {
      let r: Resources;
      try {
        r = Resources.parse(text);
      } catch (err) {
        // The same name with different kinds (a scalar and a range) is refused by name.
        assert.ok(err instanceof ValidationError, String(err));
        return;
      }
      assert.ok(Resources.parse(r.toString()).equals(r), `${text} -> ${r.toString()}`);
    }),
    fuzz(300),
  );
  fc.assert(
    fc.property(fc.oneof(word('cpus:mem()[]{}-,;0123456789.e*/ ', 0, 30), fc.string()), (text) => {
      try {
        for (const e of parseResourceText(text)) {
          if (e.kind === 'scalar') assert.ok(Number.isSafeInteger(e.milli) && e.milli >= 0);
          if (e.kind === 'ranges') {
            for (const [b, x] of e.ranges)
              assert.ok(Number.isSafeInteger(b) && Number.isSafeInteger(x) && b <= x);
          }
        }
      } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
      }
    }),
    fuzz(500),
  );
});

test('range bounds beyond exact integers are refused, not read as Infinity', () => {
  assert.throws(() => parseResourceText(`ports:[1-${'9'.repeat(400)}]`), ValidationError);
  assert.throws(() => parseResourceText('ports:[1-9007199254740993]'), ValidationError);
  assert.throws(() => parseResourceText(`cpus:${'9'.repeat(400)}`), ValidationError);
});

const quantities = fc
  .dictionary(fc.constantFrom('cpus', 'mem', 'disk', 'gpus'), fc.integer({ min: 1, max: 1e12 }), {
    maxKeys: 4,
  })
  .map((o) => new Map(Object.entries(o)));

test('scalar quantities: adding then subtracting is the identity; differences and containment agree', () => {
  fc.assert(
    fc.property(quantities, quantities, (a, b) => {
      const sum = new Map(a);
      addInto(sum, b);
      assert.ok(quantitiesContain(sum, a) && quantitiesContain(sum, b));
      addInto(sum, b, -1);
      assert.deepEqual(new Map([...sum].sort()), new Map([...a].sort()));
      // a − b keeps what a has beyond b: b plus it contains a.
      const rest = positiveDifference(a, b);
      const back = new Map(b);
      addInto(back, rest);
      assert.ok(quantitiesContain(back, a));
      assert.equal(quantitiesContain(b, a), rest.size === 0);
    }),
    fuzz(300),
  );
});
