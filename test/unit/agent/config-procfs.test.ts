import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAttributes, parseResources, taskLimits } from '../../../src/agent-sidecar/config.js';
import { parseStat, isSameLiveProcess, readProcStat } from '../../../src/agent-sidecar/procfs.js';

test('parseResources reads the Mesos text form', () => {
  assert.deepEqual(
    parseResources('cpus:2.5;mem:1024;ports:[31000-31002,32000-32000];disks:{a,b}'),
    [
      { name: 'cpus', type: 'SCALAR', scalar: 2.5, reservations: [] },
      { name: 'mem', type: 'SCALAR', scalar: 1024, reservations: [] },
      {
        name: 'ports',
        type: 'RANGES',
        ranges: [
          { begin: 31000, end: 31002 },
          { begin: 32000, end: 32000 },
        ],
        reservations: [],
      },
      { name: 'disks', type: 'SET', set: ['a', 'b'], reservations: [] },
    ],
  );
  // A role in parentheses is a static reservation; "*" is unreserved.
  assert.deepEqual(parseResources('cpus(eng):1; mem(*):64'), [
    { name: 'cpus', type: 'SCALAR', scalar: 1, reservations: [{ type: 'STATIC', role: 'eng' }] },
    { name: 'mem', type: 'SCALAR', scalar: 64, reservations: [] },
  ]);
  // Fixed point: 3 decimals.
  assert.equal(parseResources('cpus:0.12345')[0]?.scalar, 0.123);
});

test('parseResources rejects malformed input with the flag name', () => {
  for (const bad of ['cpus', 'cpus:abc', 'cpus:-1', 'ports:[5-1]', 'ports:[1-2', 'x:{a']) {
    assert.throws(() => parseResources(bad), /--resources/, bad);
  }
});

test('parseAttributes and taskLimits', () => {
  assert.deepEqual(parseAttributes('rack:r1;zone:a'), [
    { name: 'rack', text: 'r1' },
    { name: 'zone', text: 'a' },
  ]);
  assert.throws(() => parseAttributes('rack'), /--attributes/);
  // 0.25 + 0.25 cpus, 64 MiB = 67108864 bytes, ports 31000..31002.
  assert.deepEqual(
    taskLimits([
      { name: 'cpus', type: 'SCALAR', scalar: 0.25 },
      { name: 'cpus', type: 'SCALAR', scalar: 0.25 },
      { name: 'mem', type: 'SCALAR', scalar: 64 },
      { name: 'ports', type: 'RANGES', ranges: [{ begin: 31000, end: 31002 }] },
    ]),
    { cpus: 0.5, memBytes: 67108864, ports: [31000, 31001, 31002] },
  );
});

test('parseStat copes with spaces and parentheses in the command name', () => {
  const line =
    '4242 (we ird) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50 18446744073709551615';
  assert.deepEqual(parseStat(line), {
    pid: 4242,
    state: 'S',
    ppid: 1,
    pgrp: 4242,
    startTime: 987654,
  });
});

test('process identity needs the pid and its start time', async () => {
  const me = await readProcStat(process.pid);
  assert.ok(me);
  assert.equal(await isSameLiveProcess(process.pid, me.startTime), true);
  // Same pid, different start time: a reused pid is not our process.
  assert.equal(await isSameLiveProcess(process.pid, me.startTime + 1), false);
  assert.equal(await isSameLiveProcess(2 ** 22 + 7, me.startTime), false);
});
