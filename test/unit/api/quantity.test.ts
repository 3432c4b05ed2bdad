// Kubernetes quantities (src/api/quantity.ts, the CEL quantity library's semantics) and
// the allocator's reading of them (src/allocator/parse.ts), which must agree with what
// the CRDs' rules accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQuantity, parseQuantity, QuantityParseError } from '../../../src/api/quantity.js';
import { parseQuantity as allocatorQuantity } from '../../../src/allocator/parse.js';
import { ValidationError } from '../../../src/shared/errors.js';

// [text, exact value as a decimal string]
const values: [string, string][] = [
  ['0', '0'],
  ['500m', '0.5'],
  ['1.5', '1.5'],
  ['1Ki', '1024'],
  ['1Mi', '1048576'], // 2^20
  ['1.5Gi', '1610612736'], // 1.5 × 2^30
  ['1e3', '1000'],
  ['1E3', '1000'],
  ['1E', '1000000000000000000'], // E alone is exa, 10^18
  ['2k', '2000'],
  ['1n', '0.000000001'],
  ['0.0000000001', '0.000000001'], // rounded up to the nanounit, as apimachinery does
  ['-1.5', '-1.5'],
  ['+7', '7'],
  ['8Ei', '9223372036854775807'], // 2^63 capped at 2^63-1 (binary quantities only)
  ['10E', '10000000000000000000'], // decimal ones are not capped
  ['.5', '0.5'],
  ['1.', '1'],
  ['Mi', '0'], // no digits read as zero, as apimachinery 1.34 does (its doc says error)
];

for (const [text, exact] of values) {
  test(`quantity ${text} = ${exact}`, () => {
    assert.equal(parseQuantity(text).toString(), exact);
    assert.equal(isQuantity(text), true);
  });
}

const notQuantities = ['', 'lots', '1Gb', '1 Gi', '1e', '1K', '1.5.5', '--1', '1e3Mi'];
for (const text of notQuantities) {
  test(`"${text}" is not a quantity`, () => {
    assert.equal(isQuantity(text), false);
    assert.throws(() => parseQuantity(text), QuantityParseError);
  });
}

// [a, b, sign of a - b]
const comparisons: [string, string, number][] = [
  ['200M', '0.2G', 0],
  ['50M', '50Mi', -1], // 50·10^6 < 50·2^20
  ['1Mi', '1048576', 0],
  ['1e99', '1Ei', 1], // compared by magnitude, never expanded
  ['1e-5', '1n', 1],
  ['-1', '0', -1],
  ['1023Ki', '1Mi', -1],
];
for (const [a, b, sign] of comparisons) {
  test(`compare ${a} with ${b}: ${sign}`, () => {
    assert.equal(parseQuantity(a).compareTo(parseQuantity(b)), sign);
    assert.equal(parseQuantity(b).compareTo(parseQuantity(a)), sign === 0 ? 0 : -sign);
  });
}

test('asInteger, add, sub, asApproximateFloat', () => {
  assert.equal(parseQuantity('50k').asInteger(), 50000n);
  assert.equal(parseQuantity('1.5').asInteger(), undefined);
  assert.equal(parseQuantity('9999999999999999999999G').asInteger(), undefined);
  assert.equal(parseQuantity('50k').sub(parseQuantity('20k')).toString(), '30000');
  assert.equal(parseQuantity('1.5Gi').asApproximateFloat(), 1610612736);
});

// The allocator's reading, in milli units of the Mesos unit (MiB for mem). Before, a
// plain string for mem was read as MiB while the CRDs' rules read it as bytes, and
// absurd amounts came back as Infinity or past exact fixed point.
const allocator: [string, string | number, number | RegExp][] = [
  ['mem', '1048576', 1000], // 2^20 bytes = 1 MiB, as the apiserver reads it (was 1048576000)
  ['mem', 64, 64000], // a number is MiB
  ['mem', '64Mi', 64000],
  ['mem', '1G', 953674], // 10^9 / 2^20 = 953.674…
  ['cpus', '500m', 500],
  ['cpus', '1e3', 1000000],
  ['cpus', '1e400', /too large/], // was Infinity
  ['mem', '1e3Mi', /not a quantity/], // the apiserver refuses it too (was 1000 MiB)
  ['cpus', 1e300, /more than 10000000000, the largest amount accepted/], // MAX_SCALAR
  ['mem', '9'.repeat(400), /too large/],
  ['mem', '-1Mi', /negative/],
  ['mem', '4Gb', /unknown suffix "Gb"/],
];
for (const [name, value, want] of allocator) {
  test(`allocator reads ${name} ${String(value).slice(0, 20)} as ${String(want)}`, () => {
    if (typeof want === 'number') assert.equal(allocatorQuantity(name, value, 'p'), want);
    else {
      assert.throws(
        () => allocatorQuantity(name, value, 'p'),
        (e: unknown) => e instanceof ValidationError && want.test(e.message),
      );
    }
  });
}
