// The cgroup file formats, against fake cgroupfs trees in a temp dir: the v2 code path
// (not mountable with controllers on the development machines) and the v1 one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupsV1, CgroupsV2 } from '../../../src/agent-sidecar/cgroups.js';

const limits = { cpus: 0.2, memBytes: 64 * 1048576, pids: 100, cfsPeriodUs: 100_000 };

test('cgroup v2: cpu.max, cpu.weight, memory.max, pids.max and the stats it reads', async () => {
  const mount = mkdtempSync(join(tmpdir(), 'mezzo-cg2-'));
  try {
    const cg = new CgroupsV2(mount, 'root');
    await cg.create('t1', limits);
    const d = join(mount, 'root', 't1');
    const read = (f: string): string => readFileSync(join(d, f), 'utf8');
    // quota = 0.2 × 100000 µs.
    assert.equal(read('cpu.max'), '20000 100000');
    // shares = 0.2 × 1024 ≈ 205; weight = 1 + (205 − 2) × 9999 / 262142 = 8.74 → 8.
    assert.equal(read('cpu.weight'), '8');
    assert.equal(read('memory.max'), String(64 * 1048576));
    assert.equal(read('memory.swap.max'), '0');
    assert.equal(read('pids.max'), '100');
    assert.match(
      readFileSync(join(mount, 'root', 'cgroup.subtree_control'), 'utf8'),
      /^\+(cpu|memory|pids)$/,
    );
    assert.deepEqual(cg.procsFiles('t1'), [join(d, 'cgroup.procs')]);
    writeFileSync(
      join(d, 'cpu.stat'),
      'usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\nnr_periods 100\nnr_throttled 80\nthrottled_usec 8000000\n',
    );
    writeFileSync(join(d, 'memory.current'), '1048576\n');
    writeFileSync(join(d, 'memory.stat'), 'anon 524288\nfile 0\n');
    writeFileSync(join(d, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    writeFileSync(join(d, 'pids.current'), '2\n');
    writeFileSync(join(d, 'cgroup.procs'), '');
    assert.deepEqual(await cg.stats('t1'), {
      cpuUserSeconds: 1.5,
      cpuSystemSeconds: 0.5,
      cpuUsageSeconds: 2,
      memUsageBytes: 1048576,
      memRssBytes: 524288,
      memLimitBytes: 64 * 1048576,
      nrPeriods: 100,
      nrThrottled: 80,
      throttledSeconds: 8,
      pidsCurrent: 2,
      oomKills: 1,
    });
    // What a task's terminal update is judged by: the OOM counter and the real limit.
    assert.deepEqual(await cg.exitStats('t1'), { oomKills: 1, memLimitBytes: 64 * 1048576 });
    assert.equal(await cg.exists('t1'), true);
    assert.equal(await cg.exists('t2'), false);
  } finally {
    await rm(mount, { recursive: true, force: true });
  }
});

test('cgroup v1: shares, CFS quota, memory limit and separate or co-mounted hierarchies', async () => {
  const base = mkdtempSync(join(tmpdir(), 'mezzo-cg1-'));
  try {
    for (const c of ['cpu,cpuacct', 'memory', 'pids']) mkdirSync(join(base, c));
    const cpu = join(base, 'cpu,cpuacct');
    const cg = new CgroupsV1(
      { cpu, cpuacct: cpu, memory: join(base, 'memory'), pids: join(base, 'pids') },
      'root',
    );
    await cg.create('t', limits);
    const read = (p: string): string => readFileSync(p, 'utf8');
    assert.equal(read(join(cpu, 'root/t/cpu.shares')), '205');
    assert.equal(read(join(cpu, 'root/t/cpu.cfs_quota_us')), '20000');
    assert.equal(read(join(cpu, 'root/t/cpu.cfs_period_us')), '100000');
    assert.equal(read(join(base, 'memory/root/t/memory.limit_in_bytes')), String(64 * 1048576));
    assert.equal(read(join(base, 'pids/root/t/pids.max')), '100');
    // Co-mounted cpu,cpuacct is joined once.
    assert.equal(cg.procsFiles('t').length, 3);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
