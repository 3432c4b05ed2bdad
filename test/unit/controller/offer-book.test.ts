// The offer book's indexes by agent and by framework follow every way an offer leaves the
// book: taken (accepted, declined, rescinded) and timed out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resources } from '../../../src/allocator/index.js';
import { OfferBook } from '../../../src/controller/offer-book.js';
import { ManualClock } from '../../../src/shared/clock.js';

test('offers are found by agent and by framework until they leave the book', () => {
  const clock = new ManualClock(0);
  const expired: string[] = [];
  const book = new OfferBook(clock, 1000, (o) => expired.push(o.id));
  const res = Resources.parse('cpus:1');
  const a1f1 = book.add('f1', 'a1', 'r', res);
  const a1f2 = book.add('f2', 'a1', 'r', res);
  const a2f1 = book.add('f1', 'a2', 'r', res);
  const ids = (os: { id: string }[]) => os.map((o) => o.id).sort();
  const expect = (
    what: string,
    byAgent: Record<string, string[]>,
    byFw: Record<string, string[]>,
  ) => {
    for (const [a, want] of Object.entries(byAgent))
      assert.deepEqual(ids(book.ofAgent(a)), [...want].sort(), `${what}: agent ${a}`);
    for (const [f, want] of Object.entries(byFw))
      assert.deepEqual(ids(book.ofFramework(f)), [...want].sort(), `${what}: framework ${f}`);
  };
  expect(
    'three made',
    { a1: [a1f1.id, a1f2.id], a2: [a2f1.id], a3: [] },
    { f1: [a1f1.id, a2f1.id], f2: [a1f2.id], f3: [] },
  );
  book.take(a1f1.id);
  expect('one taken', { a1: [a1f2.id], a2: [a2f1.id] }, { f1: [a2f1.id], f2: [a1f2.id] });
  assert.equal(book.take(a1f1.id), undefined, 'taken once');
  clock.advance(1000);
  assert.deepEqual(expired.sort(), [a1f2.id, a2f1.id].sort());
  expect('the rest timed out', { a1: [], a2: [] }, { f1: [], f2: [] });
  assert.equal(book.size, 0);
});
