/** cgroup v2 task isolation: the unified hierarchy. */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { readNum, readKeyed, readPids, rmdirRetry, killAll } from './cgroup-fs.js';
import { assertEnforceable, cfsQuotaUs, cpuShares } from './cgroup-limits.js';
import type { CgroupLimits, CgroupStats, Cgroups, ExitStats } from './cgroup-types.js';

/** cgroup v2: the unified hierarchy. */
export class CgroupsV2 implements Cgroups {
  readonly version = 2 as const;

  constructor(
    private readonly mount: string,
    private readonly root: string,
  ) {}

  private dir(name: string): string {
    return join(this.mount, this.root, name);
  }

  private async enableControllers(dir: string): Promise<void> {
    for (const c of ['cpu', 'memory', 'pids']) {
      try {
        await fsp.writeFile(join(dir, 'cgroup.subtree_control'), `+${c}`);
      } catch {
        // controller unavailable here; limits on it will fail loudly below if needed
      }
    }
  }

  async create(name: string, limits: CgroupLimits): Promise<void> {
    assertEnforceable(limits);
    const rootDir = join(this.mount, this.root);
    await fsp.mkdir(rootDir, { recursive: true });
    await this.enableControllers(this.mount);
    await this.enableControllers(rootDir);
    const d = this.dir(name);
    await fsp.mkdir(d, { recursive: true });
    // The kernel's (and runc's) shares→weight mapping.
    const shares = cpuShares(limits);
    const weight = Math.min(10000, Math.max(1, 1 + Math.floor(((shares - 2) * 9999) / 262142)));
    await fsp.writeFile(join(d, 'cpu.weight'), String(weight));
    await fsp.writeFile(join(d, 'cpu.max'), `${cfsQuotaUs(limits)} ${limits.cfsPeriodUs}`);
    await fsp.writeFile(join(d, 'memory.max'), String(limits.memBytes));
    try {
      await fsp.writeFile(join(d, 'memory.swap.max'), '0');
    } catch {
      // no swap controller
    }
    if (limits.pids > 0) await fsp.writeFile(join(d, 'pids.max'), String(limits.pids));
  }

  /** One unified tree: the task's own cgroup is its only one. */
  leaveFiles(): string[] {
    return [];
  }

  procsFiles(name: string): string[] {
    return [join(this.dir(name), 'cgroup.procs')];
  }

  async exists(name: string): Promise<boolean> {
    try {
      await fsp.access(this.dir(name));
      return true;
    } catch {
      return false;
    }
  }

  async stats(name: string): Promise<CgroupStats> {
    const d = this.dir(name);
    const [cpuStat, memCurrent, memMax, memStat, events, pidsCurrent] = await Promise.all([
      readKeyed(join(d, 'cpu.stat')),
      readNum(join(d, 'memory.current')),
      readNum(join(d, 'memory.max')),
      readKeyed(join(d, 'memory.stat')),
      readKeyed(join(d, 'memory.events')),
      readNum(join(d, 'pids.current')),
    ]);
    return {
      cpuUserSeconds: (cpuStat.get('user_usec') ?? 0) / 1e6,
      cpuSystemSeconds: (cpuStat.get('system_usec') ?? 0) / 1e6,
      cpuUsageSeconds: (cpuStat.get('usage_usec') ?? 0) / 1e6,
      memUsageBytes: memCurrent,
      memRssBytes: memStat.get('anon') ?? memCurrent,
      memLimitBytes: memMax,
      nrPeriods: cpuStat.get('nr_periods') ?? 0,
      nrThrottled: cpuStat.get('nr_throttled') ?? 0,
      throttledSeconds: (cpuStat.get('throttled_usec') ?? 0) / 1e6,
      pidsCurrent,
      oomKills: events.get('oom_kill') ?? 0,
    };
  }

  async exitStats(name: string): Promise<ExitStats> {
    const d = this.dir(name);
    const [events, max] = await Promise.all([
      readKeyed(join(d, 'memory.events')),
      readNum(join(d, 'memory.max')),
    ]);
    return { oomKills: events.get('oom_kill') ?? 0, memLimitBytes: max };
  }

  async pids(name: string): Promise<number[]> {
    return readPids(join(this.dir(name), 'cgroup.procs'));
  }

  async destroy(name: string): Promise<void> {
    const d = this.dir(name);
    try {
      // cgroup.kill (5.14+) kills everything atomically; fall back to a kill loop.
      await fsp.writeFile(join(d, 'cgroup.kill'), '1');
    } catch {
      // older kernel or gone
    }
    await killAll(join(d, 'cgroup.procs'));
    await rmdirRetry(d);
  }

  async destroyRoot(): Promise<void> {
    await rmdirRetry(join(this.mount, this.root));
  }
}
