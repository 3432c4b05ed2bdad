import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/gen/mezzo/v1/Resource.js';
import { Resources } from '../../../src/allocator/index.js';

test('toProto output is a generated mezzo.v1.Resource, and converts back', () => {
  // A compile-time check as much as a runtime one: this assignment must type-check.
  const wire: Resource[] = Resources.parse('cpus:1;ports:[1-2];disk(eng):5').toProto();
  assert.equal(wire.length, 3);
  assert.ok(Resources.fromProto(wire).equals(Resources.parse('cpus:1;ports:[1-2];disk(eng):5')));
});
