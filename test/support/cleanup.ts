/**
 * What a test file makes outside its own memory, named here so that it is removed when
 * the file's tests are done, whether they passed or failed: temp dirs ({@link tempDir})
 * and cgroup roots ({@link testCgroupRoot}, with every task process still in them).
 *
 * Removal waits for `beforeExit`, when the event loop of the test file's process has
 * drained: by then every test and every `after` hook has run and every in-process agent
 * and controller has stopped (a running one would keep the loop alive), so nothing
 * writes into a directory while it is removed. Tasks outlive agents by design; this is
 * where the tests' ones end. The runner (scripts/test.mjs) then checks that nothing of the
 * run is left anywhere, this file's process included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanCgroupTrees } from './cgroups.js';
import { RUN_VARIABLE, cgroupPrefixOf } from './test-run.js';

const dirs = new Set<string>();
const cgroupRoots = new Set<string>();
let counter = 0;
let armed = false;

/** A fresh directory under os.tmpdir() (the run's temp dir), removed at the end. */
export function tempDir(prefix: string): string {
  arm();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/**
 * A fresh cgroup root name for a test: `mezzo-test-<run id>-<label>-<pid>-<n>` (the pid and
 * counter keep test files and the tests in a file apart). Its processes are killed and
 * its directories removed at the end.
 */
export function testCgroupRoot(label: string): string {
  arm();
  const name = `${cgroupPrefixOf(process.env[RUN_VARIABLE])}${label}-${String(process.pid)}-${String(counter++)}`;
  cgroupRoots.add(name);
  return name;
}

/** Kills what is left in the cgroup roots, removes them, then the temp dirs. */
export async function removeTestResources(): Promise<void> {
  for (const root of cgroupRoots) await cleanCgroupTrees(root);
  cgroupRoots.clear();
  // After the cgroups: a task killed above may have been writing into its sandbox.
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function arm(): void {
  if (armed) return;
  armed = true;
  process.once('beforeExit', () => {
    removeTestResources().catch((err: unknown) => {
      process.stderr.write(`test cleanup failed: ${String(err)}\n`);
      process.exitCode = 1;
    });
  });
}
