// Values in error lines print as Go's %v prints them (the apiserver's lines are Go's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat, printValue } from '../../../src/api/field-error.js';

// [value, what Go 1.26's fmt.Sprintf("%v", float64(value)) printed]
const floats: [number, string][] = [
  [0.01, '0.01'],
  [0.0001, '0.0001'], // exponent -4: still plain
  [0.00001, '1e-05'], // exponent -5: exponent form
  [1e9, '1e+09'],
  [1000000, '1e+06'], // exponent 6: exponent form
  [123456, '123456'],
  [1234567.5, '1.2345675e+06'],
  [65535, '65535'],
  [1.5, '1.5'],
  [100000, '100000'],
  [4096.25, '4096.25'],
];
for (const [v, go] of floats) {
  test(`goFloat(${v}) = ${go}`, () => assert.equal(goFloat(v), go));
}

test('printValue: integers bare (int64 in Go), fractions as %v, strings quoted, the rest as JSON', () => {
  assert.equal(printValue(1000000000), '1000000000');
  assert.equal(printValue(0.00001), '1e-05');
  assert.equal(printValue('a"b'), '"a\\"b"');
  assert.equal(printValue(null), 'null');
  assert.equal(printValue([1, 'x']), '[1,"x"]');
});
