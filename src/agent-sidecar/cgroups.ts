/**
 * Cgroups for task isolation, v1 and v2 behind one interface, detected at start from
 * /proc/self/mounts. Layout: v1 `<mount of controller>/<root>/<task>` for cpu, cpuacct,
 * memory and pids (each may be co-mounted); v2 `<cgroup2 mount>/<root>/<task>` with cpu,
 * memory and pids enabled in the parents' cgroup.subtree_control.
 *
 * A task joins its cgroups itself: the supervisor shell writes its own pid to every
 * `cgroup.procs` listed by {@link Cgroups.procsFiles} before it forks the task, so the
 * task is confined from its first instruction.
 */
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../shared/errors.js';

/** Limits applied to one task cgroup. */
export interface CgroupLimits {
  /** CPU cores; 0 means no quota (shares stay at the default). */
  cpus: number;
  /** Hard memory limit in bytes; 0 means none. */
  memBytes: number;
  /** pids.max; 0 means none. */
  pids: number;
  /** CFS period, microseconds. */
  cfsPeriodUs: number;
}

/** A cgroup's accounting, in base units. */
export interface CgroupStats {
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpuUsageSeconds: number;
  memUsageBytes: number;
  memRssBytes: number;
  memLimitBytes: number;
  nrPeriods: number;
  nrThrottled: number;
  throttledSeconds: number;
  pidsCurrent: number;
  /** Number of OOM kills inside the cgroup. */
  oomKills: number;
}

/** The operations the containerizer needs. */
export interface Cgroups {
  readonly version: 1 | 2;
  /** Creates (or re-uses) the cgroup `name` under the root and applies `limits`. */
  create(name: string, limits: CgroupLimits): Promise<void>;
  /** The `cgroup.procs` files a process writes its pid to in order to join. */
  procsFiles(name: string): string[];
  /** Whether the cgroup exists (after a restart). */
  exists(name: string): Promise<boolean>;
  stats(name: string): Promise<CgroupStats>;
  /** Pids currently in the cgroup. */
  pids(name: string): Promise<number[]>;
  /** SIGKILLs whatever is left in the cgroup and removes it. */
  destroy(name: string): Promise<void>;
  /** Removes the (empty) root cgroup; used by tests. */
  destroyRoot(): Promise<void>;
}

interface Mount {
  type: string;
  path: string;
  options: string[];
}

function readMounts(): Mount[] {
  const text = readFileSync('/proc/self/mounts', 'utf8');
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const path = f[1];
    const type = f[2];
    const opts = f[3];
    if (path === undefined || type === undefined || opts === undefined) continue;
    if (type === 'cgroup' || type === 'cgroup2') {
      out.push({ type, path: path.replace(/\\040/g, ' '), options: opts.split(',') });
    }
  }
  return out;
}

/** Detects the cgroup version and returns the matching implementation. */
export function detectCgroups(root: string, prefer?: 1 | 2): Cgroups {
  const mounts = readMounts();
  const v1: Record<string, string> = {};
  for (const m of mounts) {
    if (m.type !== 'cgroup') continue;
    for (const c of ['cpu', 'cpuacct', 'memory', 'pids']) {
      if (m.options.includes(c) && v1[c] === undefined) v1[c] = m.path;
    }
  }
  const v2 = mounts.find((m) => m.type === 'cgroup2');
  const haveV1 = v1.cpu !== undefined && v1.cpuacct !== undefined && v1.memory !== undefined;
  let haveV2 = false;
  if (v2) {
    try {
      const ctl = readFileSync(join(v2.path, 'cgroup.controllers'), 'utf8');
      haveV2 = ctl.includes('memory') && ctl.includes('cpu');
    } catch {
      haveV2 = false;
    }
  }
  if (prefer === 2 && haveV2 && v2) return new CgroupsV2(v2.path, root);
  if (haveV1) {
    return new CgroupsV1(
      {
        cpu: v1.cpu ?? '',
        cpuacct: v1.cpuacct ?? '',
        memory: v1.memory ?? '',
        ...(v1.pids ? { pids: v1.pids } : {}),
      },
      root,
    );
  }
  if (haveV2 && v2) return new CgroupsV2(v2.path, root);
  throw new UnavailableError(
    'cgroups',
    'neither cgroup v1 (cpu, cpuacct, memory) nor cgroup v2 with cpu and memory is mounted',
  );
}

async function readText(path: string): Promise<string> {
  return fsp.readFile(path, 'utf8');
}

async function readNum(path: string): Promise<number> {
  try {
    const t = (await readText(path)).trim();
    if (t === 'max') return 0;
    const n = Number(t);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

async function readKeyed(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = await readText(path);
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

async function readPids(file: string): Promise<number[]> {
  try {
    return (await readText(file))
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

async function rmdirRetry(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      await fsp.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i === 49) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function killAll(procsFile: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pids = await readPids(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const USER_HZ = 100;

/** cgroup v1: one hierarchy per controller (some may be co-mounted). */
export class CgroupsV1 implements Cgroups {
  readonly version = 1 as const;

  constructor(
    private readonly mounts: { cpu: string; cpuacct: string; memory: string; pids?: string },
    private readonly root: string,
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
    await Promise.all(this.dirs(name).map((d) => fsp.mkdir(d, { recursive: true })));
    const cpu = this.dir('cpu', name) ?? '';
    const mem = this.dir('memory', name) ?? '';
    const pids = this.dir('pids', name);
    // Controllers are independent; within one, order matters (period before quota,
    // memory limit before memory+swap limit).
    await Promise.all([
      (async () => {
        if (limits.cpus <= 0) return;
        const shares = Math.max(2, Math.round(limits.cpus * 1024));
        await fsp.writeFile(join(cpu, 'cpu.shares'), String(shares));
        await fsp.writeFile(join(cpu, 'cpu.cfs_period_us'), String(limits.cfsPeriodUs));
        const quota = Math.max(1000, Math.round(limits.cpus * limits.cfsPeriodUs));
        await fsp.writeFile(join(cpu, 'cpu.cfs_quota_us'), String(quota));
      })(),
      (async () => {
        if (limits.memBytes <= 0) return;
        await fsp.writeFile(join(mem, 'memory.limit_in_bytes'), String(limits.memBytes));
        try {
          // Without swap accounting this file is absent; with it, forbid swapping past the limit.
          await fsp.writeFile(join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memBytes));
        } catch {
          // no swap accounting
        }
      })(),
      (async () => {
        if (pids && limits.pids > 0)
          await fsp.writeFile(join(pids, 'pids.max'), String(limits.pids));
      })(),
    ]);
  }

  procsFiles(name: string): string[] {
    return this.dirs(name).map((d) => join(d, 'cgroup.procs'));
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

  async pids(name: string): Promise<number[]> {
    return readPids(join(this.dir('memory', name) ?? '', 'cgroup.procs'));
  }

  async destroy(name: string): Promise<void> {
    for (const d of this.dirs(name)) {
      await killAll(join(d, 'cgroup.procs'));
      await rmdirRetry(d);
    }
  }

  async destroyRoot(): Promise<void> {
    const set = new Set([this.mounts.cpu, this.mounts.cpuacct, this.mounts.memory]);
    if (this.mounts.pids) set.add(this.mounts.pids);
    for (const m of set) await rmdirRetry(join(m, this.root));
  }
}

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
    const rootDir = join(this.mount, this.root);
    await fsp.mkdir(rootDir, { recursive: true });
    await this.enableControllers(this.mount);
    await this.enableControllers(rootDir);
    const d = this.dir(name);
    await fsp.mkdir(d, { recursive: true });
    if (limits.cpus > 0) {
      const shares = Math.max(2, Math.round(limits.cpus * 1024));
      // The kernel's (and runc's) shares→weight mapping.
      const weight = Math.min(10000, Math.max(1, 1 + Math.floor(((shares - 2) * 9999) / 262142)));
      await fsp.writeFile(join(d, 'cpu.weight'), String(weight));
      const quota = Math.max(1000, Math.round(limits.cpus * limits.cfsPeriodUs));
      await fsp.writeFile(join(d, 'cpu.max'), `${quota} ${limits.cfsPeriodUs}`);
    }
    if (limits.memBytes > 0) {
      await fsp.writeFile(join(d, 'memory.max'), String(limits.memBytes));
      try {
        await fsp.writeFile(join(d, 'memory.swap.max'), '0');
      } catch {
        // no swap controller
      }
    }
    if (limits.pids > 0) await fsp.writeFile(join(d, 'pids.max'), String(limits.pids));
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
