/**
 * Tasks outlive `mezzo dev` and agents by design (they are recovered on restart), so a
 * test that starts them kills what is left through the cgroup tree it gave the agent,
 * and removes the (then empty) cgroup directories.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/**
 * Every `<controller>/<name>` directory named `prefix` or `prefix-…` (not `prefix0`: root
 * `…-1` must not take `…-10` with it).
 */
function treesOf(prefix: string): string[] {
  if (!existsSync(ROOT)) return [];
  return readdirSync(ROOT).flatMap((ctl) => {
    const dir = join(ROOT, ctl);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return []; // a file such as cgroup.procs on a unified hierarchy
    }
    return names.filter((n) => n === prefix || n.startsWith(`${prefix}-`)).map((n) => join(dir, n));
  });
}

/** SIGKILLs every process in the cgroup trees named `prefix` or `prefix-…`. */
export function killCgroupTrees(prefix: string): void {
  for (const dir of treesOf(prefix)) {
    const pids = spawnSync(
      'bash',
      ['-c', `find ${dir} -name cgroup.procs -exec cat {} + 2>/dev/null`],
      { encoding: 'utf8' },
    ).stdout;
    for (const pid of pids.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Kills what is left and removes the trees, retrying while killed processes exit. */
export async function cleanCgroupTrees(prefix: string, timeoutMs = 5_000): Promise<void> {
  killCgroupTrees(prefix);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const dir of treesOf(prefix))
      spawnSync('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    if (treesOf(prefix).length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
