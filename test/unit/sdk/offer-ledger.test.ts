// The ledger of offers in hand: what an answer or rescind settles, and which offers have
// been held past the limit at a given time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferLedger } from '../../../src/sdk/offer-ledger.js';

function ledger(limit: number | undefined) {
  let now = 1_000;
  const released: string[] = [];
  const l = new OfferLedger({
    ...(limit !== undefined ? { holdLimitMs: limit } : {}),
    release: (ids) => released.push(...ids),
    now: () => now,
  });
  return {
    l,
    advance: (ms: number) => {
      now += ms;
    },
    released,
  };
}

test('offers held past the limit expire; answered and rescinded ones do not', () => {
  const { l, advance } = ledger(500);
  l.received(['a', 'b', 'c']); // at 1000
  advance(200);
  l.received(['d']); // at 1200
  l.settled(['b']); // answered
  l.settled(['c']); // rescinded
  advance(299); // 1499: a held 499 ms < 500
  assert.deepEqual(l.expired(), []);
  advance(1); // 1500: a held 500 ms; d held 300 ms
  assert.deepEqual(l.expired(), ['a']);
  assert.equal(l.size, 1, 'a is settled by expiring');
  advance(200); // 1700: d held 500 ms
  assert.deepEqual(l.expired(), ['d']);
  assert.equal(l.size, 0);
  l.clear();
});

test('without a limit nothing ever expires', () => {
  const { l, advance } = ledger(undefined);
  l.received(['a']);
  advance(10 ** 9);
  assert.deepEqual(l.expired(), []);
  assert.equal(l.size, 1);
  l.clear();
  assert.equal(l.size, 0);
});
