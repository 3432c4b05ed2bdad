/**
 * A bounded pool of emptied cgroup v1 memory (and pids) cgroups, renamed for the next task
 * instead of removed and created again (issue 17's round 3). Creating a memory cgroup is
 * the dearest of a task's cgroup operations (the kernel allocates its per-cpu state and
 * its ~30 control files), and removing one leaves it dying until the pages charged to it
 * are reclaimed; cgroup v1 lets a cgroup be renamed within its parent.
 *
 * A reused cgroup must look like a new one to the next task, so a cgroup enters the pool
 * only when
 *  - the caller says its task could not have changed its control files (it did not run
 *    as root: a root task could, say, turn the OOM killer off for whoever comes next),
 *  - it holds no process in any pooled hierarchy,
 *  - its OOM-kill counter (`memory.oom_control`, which nothing resets) is 0, so the next
 *    task's OOM detection never sees an earlier task's kill,
 * and on entry its charges and counters are reset: the page cache the last task left is
 * reclaimed (`memory.force_empty`), the usage peaks and fail counts (memory, memory+swap,
 * kernel memory) written to 0, and the limits set back to unlimited (the next task's are
 * written by create(), memory+swap order included). The cpu and cpuacct cgroups are not
 * pooled: their counters (`cpu.stat`, `cpuacct.stat`) cannot be reset, and they are
 * cheap to create. A pooled cgroup is checked again for processes when it is taken; one
 * that has any is removed (its processes killed), never handed out.
 *
 * Pooled cgroups are named `pool+<n>` (a task key never holds `+`); an agent removes
 * every one under its root when it starts (left by a crashed agent) and when it stops.
 */
import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { killAll, readKeyedSync, readPidsSync, rmdirRetry, writeControlSync } from './cgroup-fs.js';

/** Names of pooled cgroups: `pool+<n>`. */
const POOL_NAME = /^pool\+\d+$/;

/** Resets applied to a memory cgroup entering the pool, in order; absent files skipped. */
const MEMORY_RESETS: readonly [string, string][] = [
  ['memory.force_empty', '0'],
  // Unlimited again: memory+swap before memory (memory+swap may never be below memory).
  ['memory.memsw.limit_in_bytes', '-1'],
  ['memory.limit_in_bytes', '-1'],
  ['memory.max_usage_in_bytes', '0'],
  ['memory.memsw.max_usage_in_bytes', '0'],
  ['memory.kmem.max_usage_in_bytes', '0'],
  ['memory.failcnt', '0'],
  ['memory.memsw.failcnt', '0'],
  ['memory.kmem.failcnt', '0'],
];

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The pool of one agent's cgroup root. */
export class CgroupPool {
  private readonly free: string[] = [];
  private seq = 0;
  private readonly parents: string[];

  /**
   * @param memory `<memory mount>/<root>`
   * @param pids `<pids mount>/<root>`, when the pids hierarchy is mounted apart from it
   * @param size at most this many cgroups are kept
   */
  constructor(
    private readonly memory: string,
    private readonly pids: string | undefined,
    private readonly size: number,
  ) {
    this.parents = pids === undefined ? [memory] : [memory, pids];
  }

  /** How many cgroups the pool holds now. */
  get count(): number {
    return this.free.length;
  }

  /**
   * Renames a pooled cgroup to `name` in the pooled hierarchies; false when the pool has
   * none to give (the caller creates `name`).
   */
  async take(name: string): Promise<boolean> {
    for (;;) {
      const p = this.free.pop();
      if (p === undefined) return false;
      if (this.hasProcesses(p)) {
        await this.remove(p);
        continue;
      }
      if (this.renameAll(p, name)) return true;
      // `name` exists already (a relaunch of the same key): create() reuses it as it is.
      this.free.push(p);
      return false;
    }
  }

  /**
   * Puts the emptied cgroup `name` into the pool (renamed, reset) when there is room and
   * it may be reused; false leaves it as it was, for the caller to remove.
   */
  release(name: string): boolean {
    if (this.free.length >= this.size || this.hasProcesses(name)) return false;
    const mem = join(this.memory, name);
    try {
      if ((readKeyedSync(join(mem, 'memory.oom_control')).get('oom_kill') ?? 0) > 0) return false;
      for (const [file, value] of MEMORY_RESETS) {
        try {
          writeControlSync(join(mem, file), value);
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
      if (this.pids !== undefined) writeControlSync(join(this.pids, name, 'pids.max'), 'max');
    } catch {
      return false;
    }
    const p = `pool+${String(this.seq++)}`;
    if (!this.renameAll(name, p)) return false;
    this.free.push(p);
    return true;
  }

  /** Removes every pooled cgroup under the root, this agent's and any a crashed one left. */
  async clear(): Promise<void> {
    this.free.length = 0;
    const names = new Set<string>();
    for (const parent of this.parents) {
      try {
        for (const n of readdirSync(parent)) if (POOL_NAME.test(n)) names.add(n);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    for (const n of names) await this.remove(n);
  }

  private hasProcesses(name: string): boolean {
    return this.parents.some((d) => readPidsSync(join(d, name, 'cgroup.procs')).length > 0);
  }

  private async remove(name: string): Promise<void> {
    for (const d of this.parents) {
      await killAll(join(d, name, 'cgroup.procs'));
      await rmdirRetry(join(d, name));
    }
  }

  /** Renames `from` to `to` in every pooled hierarchy, or in none (undone on failure). */
  private renameAll(from: string, to: string): boolean {
    const done: string[] = [];
    for (const d of this.parents) {
      try {
        renameSync(join(d, from), join(d, to));
        done.push(d);
      } catch {
        for (const u of done) {
          try {
            renameSync(join(u, to), join(u, from));
          } catch {
            // left half-renamed: clear() finds a pooled name by its prefix, and create()
            // makes whatever of the task's cgroup is missing
          }
        }
        return false;
      }
    }
    return true;
  }
}
