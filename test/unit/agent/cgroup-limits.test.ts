// The limits an agent puts on a task's cgroup: every task gets a CFS quota and a memory
// limit, tiny amounts rounded up to the smallest that works, and a task that would get
// neither is refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupsV1, CgroupsV2 } from '../../../src/agent-sidecar/cgroups.js';
import { InvariantError, UnavailableError } from '../../../src/shared/errors.js';
import {
  cfsQuotaUs,
  enforceableLimits,
  MIN_CFS_QUOTA_US,
  MIN_MEMORY_BYTES,
} from '../../../src/agent-sidecar/cgroup-limits.js';

const MiB = 1048576;
const agent = { pidsLimit: 1024, cfsPeriodUs: 100_000 };

test('enforceableLimits: quota and memory limit, table-driven', () => {
  const cases: [{ cpus: number; memBytes: number }, number, number][] = [
    // cpus, mem → quota µs, limit bytes
    [{ cpus: 0.2, memBytes: 64 * MiB }, 20_000, 64 * MiB], // 0.2 × 100 000 µs
    [{ cpus: 2, memBytes: 1024 * MiB }, 200_000, 1024 * MiB], // 2 cores: 2 periods per period
    // 0.0001 × 100 000 = 10 µs, under the kernel's 1 000 µs minimum: rounded up.
    [{ cpus: 0.0001, memBytes: 32 * MiB }, MIN_CFS_QUOTA_US, 32 * MiB],
    // 1 MiB of memory: rounded up to 4 MiB.
    [{ cpus: 0.1, memBytes: 1 * MiB }, 10_000, MIN_MEMORY_BYTES],
    [{ cpus: 0.1, memBytes: 1 }, 10_000, MIN_MEMORY_BYTES],
  ];
  for (const [task, quota, mem] of cases) {
    const d = enforceableLimits(task, agent);
    assert.ok(d.ok, JSON.stringify(task));
    assert.equal(cfsQuotaUs(d.limits), quota, JSON.stringify(task));
    assert.equal(d.limits.memBytes, mem, JSON.stringify(task));
    assert.equal(d.limits.pids, 1024);
  }
});

test('enforceableLimits: a task that would run unlimited is refused, table-driven', () => {
  const cases: [{ cpus: number; memBytes: number }, RegExp][] = [
    [{ cpus: 0, memBytes: 32 * MiB }, /cpus \(0\) give no CPU quota/],
    [{ cpus: -1, memBytes: 32 * MiB }, /cpus \(-1\) give no CPU quota/],
    [{ cpus: Number.NaN, memBytes: 32 * MiB }, /cpus \(NaN\) give no CPU quota/],
    [{ cpus: Number.POSITIVE_INFINITY, memBytes: 32 * MiB }, /cpus \(Infinity\)/],
    // 1e12 cpus × 100 000 µs = 1e17 µs, past 2^53: no quota file takes it.
    [{ cpus: 1e12, memBytes: 32 * MiB }, /beyond any CPU quota/],
    [{ cpus: 0.1, memBytes: 0 }, /mem \(0 MiB\) gives no memory limit/],
    [{ cpus: 0.1, memBytes: -5 * MiB }, /mem \(-5 MiB\) gives no memory limit/],
    [{ cpus: 0.1, memBytes: Number.NaN }, /mem \(NaN MiB\)/],
    // 1e300 MiB in bytes is finite but no integer a limit file takes.
    [{ cpus: 0.1, memBytes: 1e300 * MiB }, /beyond any memory limit/],
  ];
  for (const [task, why] of cases) {
    const d = enforceableLimits(task, agent);
    assert.equal(d.ok, false, JSON.stringify(task));
    assert.match(d.message, why);
  }
});

test('cgroups refuse to make a cgroup they could not limit', async () => {
  // Fake cgroupfs trees in a temp dir: the real v1 hierarchies here all have pids, and
  // v2 is not mountable with controllers on the development machines.
  const base = mkdtempSync(join(tmpdir(), 'mezzo-cglim-'));
  try {
    for (const c of ['cpu', 'memory', 'v2']) mkdirSync(join(base, c));
    const v1 = new CgroupsV1(
      { cpu: join(base, 'cpu'), cpuacct: join(base, 'cpu'), memory: join(base, 'memory') },
      'root',
    );
    const good = { cpus: 0.1, memBytes: 32 * MiB, pids: 0, cfsPeriodUs: 100_000 };
    // No pids hierarchy: a pids limit cannot be set, so the cgroup is not made.
    await assert.rejects(v1.create('t', { ...good, pids: 100 }), UnavailableError);
    assert.equal(existsSync(join(base, 'memory/root/t')), false);
    // Only the operator's --pids-limit 0 runs without one.
    await v1.create('t', good);
    assert.equal(readFileSync(join(base, 'cpu/root/t/cpu.cfs_quota_us'), 'utf8'), '10000');
    const v2 = new CgroupsV2(join(base, 'v2'), 'root');
    for (const cg of [v1, v2]) {
      for (const bad of [{ cpus: 0 }, { memBytes: 0 }, { cpus: Number.NaN }, { memBytes: -1 }]) {
        await assert.rejects(cg.create('u', { ...good, ...bad }), InvariantError);
      }
    }
    assert.equal(existsSync(join(base, 'v2/root/u')), false);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
