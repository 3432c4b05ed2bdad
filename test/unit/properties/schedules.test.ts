// Schedule texts between the CRD and the schedules framework: any text the CRD accepts
// as a repeating interval is one the framework reads, with runs at least a second apart
// (the CRD's minimum period), and any text at all gets a verdict from the CRD rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateObject } from '../../../src/api/validate.js';
import { parseRecurrence } from '../../../src/frameworks/schedules/recurrence.js';
import { word } from './arbitraries.js';
import { fuzz } from './fuzz.js';

function accepted(schedule: string): boolean {
  return validateObject({
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Schedule',
    metadata: { name: 's' },
    spec: { schedule, command: 'true' },
  }).ok;
}

const two = (n: number) => String(n).padStart(2, '0');
/** Repeating intervals of every shape the pattern allows, zero and sub-second included. */
const interval = fc
  .tuple(
    fc.option(fc.nat({ max: 50 })),
    fc.tuple(
      fc.integer({ min: 2000, max: 2100 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    ),
    fc.option(fc.tuple(fc.nat({ max: 23 }), fc.nat({ max: 59 }), fc.nat({ max: 59 }))),
    fc.constantFrom('', 'Z', '+02:00', '-0530'),
    fc.array(fc.tuple(fc.nat({ max: 3 }), fc.constantFrom('Y', 'M', 'W', 'D', 'H', 'm', 'S')), {
      maxLength: 3,
    }),
    fc.option(fc.nat({ max: 999 })),
  )
  .map(([n, [y, mo, d], t, zone, parts, frac]) => {
    const date = `${y}-${two(mo)}-${two(d)}`;
    const start = t ? `${date}T${two(t[0])}:${two(t[1])}:${two(t[2])}${zone}` : date;
    const order = ['Y', 'M', 'W', 'D', 'H', 'm', 'S'];
    const seen = new Map<string, number>(parts.map(([v, u]) => [u, v]));
    let period = 'P';
    for (const u of order) {
      if (u === 'H' && [...seen.keys()].some((k) => 'HmS'.includes(k))) period += 'T';
      const v = seen.get(u);
      if (v === undefined) continue;
      period += u === 'S' && frac !== null ? `${v}.${frac}S` : `${v}${u === 'm' ? 'M' : u}`;
    }
    return `R${n === null ? '' : n}/${start}/${period}`;
  });

test('a repeating interval the CRD accepts is read by the schedules framework, runs ≥ 1 s apart', () => {
  // Not vacuous: a fair share of the generated texts pass the CRD, and some do not.
  const sample = fc.sample(interval, { numRuns: 200, seed: 1 }).map(accepted);
  assert.ok(sample.filter(Boolean).length > 50 && sample.some((ok) => !ok));
  fc.assert(
    fc.property(interval, (text) => {
      if (!accepted(text)) return;
      const r = parseRecurrence(text, 'UTC');
      let t = Date.UTC(2000, 0, 1);
      for (let i = 0; i < 3; i++) {
        const next = r.nextAfter(t);
        if (next === undefined) return;
        assert.ok(next > t, `${text}: ${next} after ${t}`);
        if (i > 0) assert.ok(next - t >= 1000, `${text}: runs ${next - t} ms apart`);
        t = next;
      }
    }),
    fuzz(300),
  );
});

test('any schedule text gets a verdict from the CRD rules', () => {
  fc.assert(
    fc.property(
      fc.oneof(word('R/PT0123456789.:-Z*/ @daily,', 0, 40), fc.string({ maxLength: 40 })),
      (text) => {
        accepted(text);
      },
    ),
    fuzz(500),
  );
});
