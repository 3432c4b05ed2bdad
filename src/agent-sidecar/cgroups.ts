/**
 * Cgroups for task isolation, v1 and v2 behind one interface, detected at start from
 * /proc/self/mounts. Layout: v1 `<mount of controller>/<root>/<task>` for cpu, cpuacct,
 * memory and pids (each may be co-mounted); v2 `<cgroup2 mount>/<root>/<task>` with cpu,
 * memory and pids enabled in the parents' cgroup.subtree_control.
 *
 * A task joins its cgroups itself: the supervisor writes its own pid to every
 * `cgroup.procs` listed by {@link Cgroups.procsFiles} before it forks the task, so the
 * task is confined from its first instruction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../shared/errors.js';
import type { Cgroups } from './cgroup-types.js';
import { CgroupsV1 } from './cgroups-v1.js';
import { CgroupsV2 } from './cgroups-v2.js';

export type { CgroupLimits, CgroupStats, Cgroups, ExitStats } from './cgroup-types.js';
export { NO_STATS } from './cgroup-types.js';
export { CgroupsV1 } from './cgroups-v1.js';
export { CgroupsV2 } from './cgroups-v2.js';

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
    const used = new Set(Object.values(v1));
    const others = mounts.filter((m) => !used.has(m.path)).map((m) => m.path);
    return new CgroupsV1(
      {
        cpu: v1.cpu ?? '',
        cpuacct: v1.cpuacct ?? '',
        memory: v1.memory ?? '',
        ...(v1.pids ? { pids: v1.pids } : {}),
      },
      root,
      [...new Set(others)],
    );
  }
  if (haveV2 && v2) return new CgroupsV2(v2.path, root);
  throw new UnavailableError(
    'cgroups',
    'neither cgroup v1 (cpu, cpuacct, memory) nor cgroup v2 with cpu and memory is mounted',
  );
}
