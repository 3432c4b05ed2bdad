import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCALAR, Resources } from '../../../src/allocator/index.js';
import { ValidationError } from '../../../src/shared/errors.js';

const R = (t: string): Resources => Resources.parse(t);

test('parse: Mesos text form, table-driven', () => {
  const cases: [string, string][] = [
    ['cpus:2;mem:1024', 'cpus:2; mem:1024'],
    ['cpus:0.5', 'cpus:0.5'],
    [' cpus : 1 ; mem:2 ', 'cpus:1; mem:2'],
    ['ports:[31000-32000]', 'ports:[31000-32000]'],
    // Overlapping and adjacent ranges merge: [1-5] ∪ [4-8] ∪ [9-9] = [1-9]
    ['ports:[4-8,1-5,9]', 'ports:[1-9]'],
    ['zones:{b,a,b}', 'zones:{a, b}'],
    ['disk(eng):10', 'disk(eng):10'],
    ['cpus(*):1', 'cpus:1'],
    ['cpus:1;cpus:2', 'cpus:3'],
    ['', ''],
  ];
  for (const [input, expected] of cases) assert.equal(R(input).toString(), expected, input);
});

test('parse: precise errors', () => {
  const cases: [string, string][] = [
    ['cpus:abc', 'resources[0] "cpus:abc": cpus: "abc" is not a number'],
    ['cpus:1;mem', 'resources[1] "mem": expected name:value'],
    ['cpus:1;;mem:2', 'resources[1]: empty item (stray ";")'],
    ['cpus:-1', 'resources[0] "cpus:-1": cpus: -1 is negative'],
    ['ports:[10-5]', 'resources[0] "ports:[10-5]": ports: range 10-5 ends before it begins'],
    [
      'ports:[a-5]',
      'resources[0] "ports:[a-5]": ports: range bound "a" is not a non-negative integer',
    ],
    ['ports:[1-5', 'resources[0] "ports:[1-5": ports: unclosed "["'],
    ['cpus(eng:1', 'resources[0] "cpus(eng:1": unclosed "(" in role'],
    ['9cpus:1', 'resources[0] "9cpus:1": invalid resource name "9cpus"'],
    ['cpus:', 'resources[0] "cpus:": cpus: missing value'],
    [
      'cpus(a b):1',
      "resources[0] \"cpus(a b):1\": invalid role \"a b\": use letters, digits, '_', '-', '.' and '/' between levels",
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => R(input),
      (err: unknown) => err instanceof ValidationError && err.message === message,
      `${input} → ${message}`,
    );
  }
});

test('fromQuantities: Kubernetes notation, mem and disk in MiB', () => {
  const cases: [Record<string, string | number>, string][] = [
    [{ cpus: '500m', mem: '4Gi' }, 'cpus:0.5; mem:4096'],
    [{ cpus: 2, mem: 1024 }, 'cpus:2; mem:1024'], // bare numbers: Mesos units (MiB)
    [{ mem: '512Mi', disk: '1Ti' }, 'disk:1048576; mem:512'],
    [{ mem: '1G' }, 'mem:953.674'], // 1e9 / 2^20 = 953.6743… → three decimals
    [{ gpus: '1', cpus: '1.5' }, 'cpus:1.5; gpus:1'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(Resources.fromQuantities(input).toString(), expected);
  }
  assert.throws(
    () => Resources.fromQuantities({ mem: '4Gb' }),
    /mem: unknown suffix "Gb" in "4Gb" \(use m, k, M, G, T, Ki, Mi, Gi, Ti\)/,
  );
  assert.throws(
    () => Resources.fromQuantities({ cpus: 'lots' }),
    /cpus: "lots" is not a quantity like 500m, 2 or 4Gi/,
  );
});

test('fixed point: a thousand 0.001 cpus add up to exactly 1', () => {
  let sum = Resources.EMPTY;
  const crumb = R('cpus:0.001');
  for (let i = 0; i < 1000; i++) sum = sum.add(crumb);
  assert.equal(sum.scalar('cpus'), 1);
  // 0.1 + 0.2 is 0.30000000000000004 in floats, exactly 0.3 here.
  assert.equal(R('cpus:0.1').add(R('cpus:0.2')).toString(), 'cpus:0.3');
});

test('arithmetic: add, subtract, contains, table-driven', () => {
  const a = R('cpus:4;mem:4096;ports:[31000-31010];zones:{a,b}');
  const b = R('cpus:1;mem:1024;ports:[31005-31006];zones:{a}');
  assert.equal(
    a.subtract(b).toString(),
    'cpus:3; mem:3072; ports:[31000-31004, 31007-31010]; zones:{b}',
  );
  assert.ok(a.contains(b));
  assert.ok(!b.contains(a));
  assert.ok(a.subtract(b).add(b).equals(a));
  // Reserved and unreserved cpus are different resources: neither contains the other.
  assert.ok(!R('cpus(eng):2').contains(R('cpus:1')));
  assert.ok(!R('cpus:2').contains(R('cpus(eng):1')));
  // Subtracting more than there is stops at zero and drops the entry.
  assert.equal(R('cpus:1').subtract(R('cpus:2')).toString(), '');
  assert.ok(Resources.EMPTY.isEmpty());
});

test('reservations: flatten, reservedTo, unreserved, allocatableTo, reserve', () => {
  const r = R('cpus:2;cpus(eng):3;cpus(eng/backend):1;mem(ops):100');
  assert.equal(r.scalar('cpus'), 6);
  assert.equal(r.flatten().toString(), 'cpus:6; mem:100');
  assert.equal(r.reservedTo('eng').toString(), 'cpus(eng):3');
  assert.equal(r.unreserved().toString(), 'cpus:2');
  // eng/backend may use what is reserved to eng (its parent), not what ops holds.
  assert.equal(r.allocatableTo('eng/backend').scalar('cpus'), 6);
  assert.equal(r.allocatableTo('eng/backend').scalar('mem'), 0);
  assert.equal(r.allocatableTo('eng').scalar('cpus'), 5);
  const reserved = R('cpus:1').reserve('eng', 'alice');
  assert.equal(reserved.reservedTo('eng').scalar('cpus'), 1);
  const reservation = reserved.entries[0]?.reservations[0];
  assert.equal(reservation?.type, 'DYNAMIC');
  assert.equal(reservation.principal, 'alice');
});

test('proto: round trip and validation', () => {
  const r = R('cpus:1.5;ports:[1-2,5-6];zones:{x};disk(eng):10');
  const wire = r.toProto();
  assert.deepEqual(
    wire.find((w) => w.name === 'cpus'),
    { name: 'cpus', type: 'SCALAR', scalar: 1.5 },
  );
  assert.ok(Resources.fromProto(wire).equals(r));
  // 64-bit range bounds may arrive as strings or Long-like objects.
  const fromWire = Resources.fromProto([
    { name: 'ports', type: 'RANGES', ranges: [{ begin: '10', end: { toNumber: () => 20 } }] },
  ]);
  assert.equal(fromWire.toString(), 'ports:[10-20]');
  assert.throws(
    () => Resources.fromProto([{ type: 'SCALAR', scalar: 1 }]),
    /resources\[0\]\.name: a resource needs a name/,
  );
  assert.throws(
    () => Resources.fromProto([{ name: 'cpus', scalar: -1 }]),
    /resources\[0\]\.scalar: cpus: -1 is negative/,
  );
  const dyn = Resources.fromProto([
    {
      name: 'cpus',
      scalar: 1,
      reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'p', labels: { k: 'v' } }],
    },
  ]);
  assert.deepEqual(dyn.toProto()[0]?.reservations, [
    { type: 'DYNAMIC', role: 'eng', principal: 'p', labels: { k: 'v' } },
  ]);
});

test('capUnreserved shrinks unreserved scalars only', () => {
  const r = R('cpus:4;cpus(eng):2;mem:100');
  const capped = r.capUnreserved(new Map([['cpus', 1500]]));
  // unreserved cpus 4 → 1.5; reserved cpus untouched: 1.5 + 2 = 3.5
  assert.equal(capped.scalar('cpus'), 3.5);
  assert.equal(capped.scalar('mem'), 100);
});

test('pickScalars: reservations first, then unreserved; undefined when short', () => {
  const cases: [string, Record<string, number>, string | undefined][] = [
    // cpus 2.5 = 1 (eng) + 1.5 of the unreserved 2; mem from the only entry
    ['cpus:2; cpus(eng):1; mem:100', { cpus: 2.5, mem: 50 }, 'cpus:1.5; cpus(eng):1; mem:50'],
    // 0.5 fits in the reservation alone
    ['cpus:2; cpus(eng):1', { cpus: 0.5 }, 'cpus(eng):0.5'],
    // 3 + 0.1 > 2 + 1
    ['cpus:2; cpus(eng):1', { cpus: 3.1 }, undefined],
    // a name the offer lacks
    ['cpus:2', { cpus: 1, gpus: 1 }, undefined],
  ];
  for (const [have, want, expected] of cases) {
    const milli = new Map(Object.entries(want).map(([k, v]) => [k, Math.round(v * 1000)]));
    assert.equal(
      R(have).pickScalars(milli)?.toString(),
      expected,
      `${have} ⊇ ${JSON.stringify(want)}`,
    );
  }
});

test('hostile scalars are rejected as values by every reader of outside input', () => {
  // MAX_SCALAR is 1e10 units. 10 Pi of disk = 10 × 2^50 B = 10 × 2^30 MiB ≈ 1.07e10 MiB:
  // just over it.
  const text: [string, string][] = [
    ['cpus:-1', 'cpus: -1 is negative'],
    ['mem:1e999', 'mem: 1e999 is not finite'],
    ['mem:1e300', `mem: 1e300 is more than ${String(MAX_SCALAR)}, the largest amount accepted`],
    ['gpus:10000000001', 'gpus: 10000000001 is more than 10000000000'],
  ];
  for (const [input, message] of text) {
    const r = Resources.tryParse(input);
    assert.equal(r.ok, false, input);
    assert.ok(r.error instanceof ValidationError);
    assert.ok(r.error.message.includes(message), `${input}: ${r.error.message}`);
  }
  const quantities: [Record<string, string | number>, string][] = [
    [{ mem: -1 }, 'mem: -1 is negative'],
    [{ mem: '-1Gi' }, 'mem: "-1Gi" is negative'],
    [{ mem: Number.NaN }, 'mem: NaN is not a number'],
    [{ cpus: Number.POSITIVE_INFINITY }, 'cpus: Infinity is not finite'],
    // Number('1e999') is Infinity: the string path used to let it through as Infinity milli.
    [{ mem: '1e999' }, 'mem: "1e999" is too large'], // refused before exact arithmetic expands it
    [{ disk: '10Pi' }, 'disk: "10Pi" is more than'],
    [{ gpus: '1E' }, 'gpus: "1E" is more than'], // 1e18 GPUs
    // A suffix that is a property of every object is still an unknown suffix.
    [{ mem: '1constructor' }, 'mem: unknown suffix "constructor"'],
  ];
  for (const [input, message] of quantities) {
    const r = Resources.tryFromQuantities(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    assert.ok(r.error.message.includes(message), r.error.message);
  }
  const wire: [number | string, string][] = [
    [-5, 'mem: -5 is negative'],
    [Number.NaN, 'mem: NaN is not a number'],
    ['abc', 'mem: abc is not a number'],
    [Number.NEGATIVE_INFINITY, 'mem: -Infinity is not finite'],
    [1e300, 'mem: 1e+300 is more than'],
  ];
  for (const [scalar, message] of wire) {
    const r = Resources.tryFromProto([{ name: 'mem', type: 'SCALAR', scalar }]);
    assert.equal(r.ok, false, String(scalar));
    assert.ok(r.error.message.includes(message), r.error.message);
  }
  // The largest accepted amount still parses, and valid input is a value too.
  assert.equal(Resources.tryParse(`disk:${String(MAX_SCALAR)}`).ok, true);
  const ok = Resources.tryFromQuantities({ cpus: '500m', mem: '1Pi' });
  assert.ok(ok.ok);
  // 1 Pi = 2^50 B = 2^30 MiB = 1073741824 MiB, under the bound.
  assert.equal(ok.resources.toString(), 'cpus:0.5; mem:1073741824');
});
