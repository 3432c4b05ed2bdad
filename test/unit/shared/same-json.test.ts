// "Write only on a difference" against a stored copy: the same document whatever the key
// order (kube-apiserver sorts them) and with or without undefined fields (JSON drops
// them); any difference of value, type or list order is a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameJson } from '../../../src/shared/same-json.js';

// [case, a, b, the same document?]
const cases: [string, unknown, unknown, boolean][] = [
  [
    'keys in another order',
    { state: 'RUNNING', message: 'up' },
    { message: 'up', state: 'RUNNING' },
    true,
  ],
  ['nested keys in another order', { c: [{ a: 1, b: 2 }] }, { c: [{ b: 2, a: 1 }] }, true],
  ['an undefined field', { a: 1, b: undefined }, { a: 1 }, true],
  ['both undefined', undefined, undefined, true],
  ['another value', { a: 1 }, { a: 2 }, false],
  ['a number against its text', { a: 1 }, { a: '1' }, false],
  ['a list in another order', { a: [1, 2] }, { a: [2, 1] }, false],
  ['a field more', { a: 1 }, { a: 1, b: null }, false],
  ['undefined against an empty document', undefined, {}, false],
];
for (const [name, a, b, same] of cases) {
  test(`${name}: ${same ? 'the same' : 'different'}`, () => {
    assert.equal(sameJson(a, b), same);
    assert.equal(sameJson(b, a), same);
  });
}
