// Kubernetes labels (src/kube/labels.ts, used to copy framework labels onto Task objects)
// against the apiserver's own rules (src/api/metadata.ts, apimachinery's messages): the
// two agree on every key and value, and labelValue makes any string a valid value.
// (Mezzo parses no label selectors: `mezzo get` has no -l, and informers pass selectors
// to the apiserver as text.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isValidLabel, labelValue, validLabels } from '../../../src/kube/labels.js';
import { labelValueErrors, qualifiedNameErrors } from '../../../src/api/metadata.js';
import { word } from './arbitraries.js';
import { fuzz } from './fuzz.js';

/** Strings near the label grammar: the allowed characters, '/', and a few others. */
const near = (max: number) =>
  fc.oneof(word('ab.Z09-_/', 0, max), word('a', 60, 70), fc.string({ maxLength: max }));
const key = fc.oneof(
  near(12),
  fc.tuple(word('a.-', 0, 260), near(66)).map(([p, n]) => `${p}/${n}`),
);

test('isValidLabel agrees with the apiserver rules on every key and value', () => {
  fc.assert(
    fc.property(key, near(70), (k, v) => {
      const apiserver = qualifiedNameErrors(k).length === 0 && labelValueErrors(v).length === 0;
      assert.equal(isValidLabel(k, v), apiserver, `${JSON.stringify(k)}=${JSON.stringify(v)}`);
    }),
    fuzz(1000),
  );
});

test('labelValue makes any string a valid label value; validLabels keeps exactly the valid', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 100, unit: 'grapheme' }), (s) => {
      assert.deepEqual(labelValueErrors(labelValue(s)), []);
    }),
    fuzz(500),
  );
  fc.assert(
    fc.property(fc.dictionary(key, near(70), { maxKeys: 6 }), (labels) => {
      const kept = validLabels(labels);
      for (const [k, v] of Object.entries(labels)) {
        assert.equal(Object.hasOwn(kept, k), isValidLabel(k, v));
      }
    }),
    fuzz(300),
  );
});
