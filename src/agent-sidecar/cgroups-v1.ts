/** cgroup v1 task isolation: cpu, cpuacct, memory and pids hierarchies. */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  readNum,
  readKeyed,
  readPids,
  rmdirRetry,
  killAll,
  makeCgroupDir,
  writeControl,
  USER_HZ,
} from './cgroup-fs.js';
import { UnavailableError } from '../shared/errors.js';
import { assertEnforceable, cfsQuotaUs, cpuShares } from './cgroup-limits.js';
import type { CgroupLimits, CgroupStats, Cgroups, ExitStats } from './cgroup-types.js';

/** cgroup v1: one hierarchy per controller (some may be co-mounted). */
export class CgroupsV1 implements Cgroups {
  readonly version = 1 as const;

  constructor(
    private readonly mounts: { cpu: string; cpuacct: string; memory: string; pids?: string },
    private readonly root: string,
    /** Mount points of the other hierarchies (see {@link Cgroups.leaveFiles}). */
    private readonly others: readonly string[] = [],
  ) {}

  private dirs(name: string): string[] {
    const set = new Set<string>([
      join(this.mounts.cpu, this.root, name),
      join(this.mounts.cpuacct, this.root, name),
      join(this.mounts.memory, this.root, name),
    ]);
    if (this.mounts.pids) set.add(join(this.mounts.pids, this.root, name));
    return [...set];
  }

  private dir(c: 'cpu' | 'cpuacct' | 'memory' | 'pids', name: string): string | undefined {
    const m = this.mounts[c];
    return m ? join(m, this.root, name) : undefined;
  }

  async create(name: string, limits: CgroupLimits): Promise<void> {
    assertEnforceable(limits);
    const pids = this.dir('pids', name);
    if (limits.pids > 0 && pids === undefined) {
      throw new UnavailableError(
        'cgroups',
        'no pids hierarchy is mounted: no pids limit can be set',
      );
    }
    await Promise.all(this.dirs(name).map((d) => makeCgroupDir(d)));
    const cpu = this.dir('cpu', name) ?? '';
    const mem = this.dir('memory', name) ?? '';
    // Controllers are independent; within one, order matters (period before quota,
    // memory limit before memory+swap limit). A write that fails fails the launch.
    await Promise.all([
      (async () => {
        await writeControl(join(cpu, 'cpu.shares'), String(cpuShares(limits)));
        await writeControl(join(cpu, 'cpu.cfs_period_us'), String(limits.cfsPeriodUs));
        await writeControl(join(cpu, 'cpu.cfs_quota_us'), String(cfsQuotaUs(limits)));
      })(),
      (async () => {
        await writeControl(join(mem, 'memory.limit_in_bytes'), String(limits.memBytes));
        try {
          // Without swap accounting this file is absent; with it, forbid swapping past the limit.
          await writeControl(join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memBytes));
        } catch {
          // no swap accounting
        }
      })(),
      (async () => {
        if (pids !== undefined && limits.pids > 0)
          await writeControl(join(pids, 'pids.max'), String(limits.pids));
      })(),
    ]);
  }

  procsFiles(name: string): string[] {
    return this.dirs(name).map((d) => join(d, 'cgroup.procs'));
  }

  leaveFiles(): string[] {
    return this.others.map((m) => join(m, 'cgroup.procs'));
  }

  async exists(name: string): Promise<boolean> {
    try {
      await fsp.access(this.dir('memory', name) ?? '');
      return true;
    } catch {
      return false;
    }
  }

  async stats(name: string): Promise<CgroupStats> {
    const cpu = this.dir('cpu', name) ?? '';
    const acct = this.dir('cpuacct', name) ?? '';
    const mem = this.dir('memory', name) ?? '';
    const pids = this.dir('pids', name);
    const [acctStat, usageNs, cpuStat, memUsage, memLimit, memStat, oom, pidsCurrent] =
      await Promise.all([
        readKeyed(join(acct, 'cpuacct.stat')),
        readNum(join(acct, 'cpuacct.usage')),
        readKeyed(join(cpu, 'cpu.stat')),
        readNum(join(mem, 'memory.usage_in_bytes')),
        readNum(join(mem, 'memory.limit_in_bytes')),
        readKeyed(join(mem, 'memory.stat')),
        readKeyed(join(mem, 'memory.oom_control')),
        pids ? readNum(join(pids, 'pids.current')) : Promise.resolve(0),
      ]);
    return {
      cpuUserSeconds: (acctStat.get('user') ?? 0) / USER_HZ,
      cpuSystemSeconds: (acctStat.get('system') ?? 0) / USER_HZ,
      cpuUsageSeconds: usageNs / 1e9,
      memUsageBytes: memUsage,
      memRssBytes: memStat.get('total_rss') ?? memStat.get('rss') ?? 0,
      memLimitBytes: memLimit,
      nrPeriods: cpuStat.get('nr_periods') ?? 0,
      nrThrottled: cpuStat.get('nr_throttled') ?? 0,
      throttledSeconds: (cpuStat.get('throttled_time') ?? 0) / 1e9,
      pidsCurrent,
      oomKills: oom.get('oom_kill') ?? 0,
    };
  }

  async exitStats(name: string): Promise<ExitStats> {
    const mem = this.dir('memory', name) ?? '';
    const [oom, limit] = await Promise.all([
      readKeyed(join(mem, 'memory.oom_control')),
      readNum(join(mem, 'memory.limit_in_bytes')),
    ]);
    return { oomKills: oom.get('oom_kill') ?? 0, memLimitBytes: limit };
  }

  async pids(name: string): Promise<number[]> {
    return readPids(join(this.dir('memory', name) ?? '', 'cgroup.procs'));
  }

  async destroy(name: string): Promise<void> {
    // A task's processes are in all its hierarchies at once (the supervisor joins every
    // one before the task starts), so one sweep empties them all; a hierarchy still busy
    // after that (a root task that moved itself) gets its own.
    await killAll(join(this.dir('memory', name) ?? '', 'cgroup.procs'));
    await Promise.all(
      this.dirs(name).map(async (d) => {
        try {
          await rmdirRetry(d);
        } catch {
          await killAll(join(d, 'cgroup.procs'));
          await rmdirRetry(d);
        }
      }),
    );
  }

  async destroyRoot(): Promise<void> {
    const set = new Set([this.mounts.cpu, this.mounts.cpuacct, this.mounts.memory]);
    if (this.mounts.pids) set.add(this.mounts.pids);
    for (const m of set) await rmdirRetry(join(m, this.root));
  }
}
