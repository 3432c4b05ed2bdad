import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidLabel, labelValue, validLabels } from '../../../src/kube/labels.js';

// [key, value, accepted by the apiserver?]
const cases: [string, string, boolean][] = [
  ['tier', 'web', true],
  ['mezzo.dev/app-name', 'hello-http', true],
  ['mezzo.dev/app', 'default/hello-http', false], // '/' is not allowed in a value
  ['app', '', true], // empty values are allowed
  ['app', '-web', false], // must start alphanumeric
  ['app', 'a'.repeat(63), true],
  ['app', 'a'.repeat(64), false], // 63 at most
  ['Mezzo.dev/app', 'x', false], // the prefix is a lower-case DNS subdomain
  ['mezzo.dev/', 'x', false], // a prefix needs a name
  ['n'.repeat(64), 'x', false], // the name part is 63 at most
  ['a/b/c', 'x', false], // one slash at most
];

for (const [key, value, ok] of cases) {
  test(`label ${key}=${value.length > 20 ? `${value.slice(0, 8)}…(${value.length})` : value}: ${ok ? 'valid' : 'invalid'}`, () => {
    assert.equal(isValidLabel(key, value), ok);
  });
}

test('validLabels keeps exactly the valid ones', () => {
  assert.deepEqual(
    validLabels({ 'mezzo.dev/app': 'ns/web', 'mezzo.dev/app-name': 'web', tier: 'front' }),
    { 'mezzo.dev/app-name': 'web', tier: 'front' },
  );
});

test('labelValue makes any string a valid value', () => {
  for (const s of ['mezzo-run:demo', '--x--', 'ünïcode name', 'a'.repeat(80)])
    assert.equal(isValidLabel('k', labelValue(s)), true, s);
});
