/**
 * The identity of one test run, as the runner (scripts/test.mjs) hands it to every test
 * process: `MEZZO_TEST_RUN=<uuid>` in the environment (inherited by every child that does
 * not clear its environment) and `TMPDIR` pointing at a directory the run owns. Tests name
 * what they create outside those two (cgroups) with the run's prefix (see
 * `testCgroupRoot` in cleanup.ts), so that the runner finds, at the end of a level,
 * exactly what this run left behind and nothing of another run on the same machine.
 * This module imports nothing of node:test: the runner loads it too.
 */

/** The environment variable that marks every process of a test run. */
export const RUN_VARIABLE = 'MEZZO_TEST_RUN';

/** Every test cgroup root starts with this; the run ID follows. */
export const CGROUP_PREFIX = 'mezzo-test-';

/**
 * The prefix of every cgroup root a run's tests create: `mezzo-test-<run id>-`, or
 * `mezzo-test-local-` for a test file started by hand (no runner, no check).
 */
export function cgroupPrefixOf(runId: string | undefined): string {
  return `${CGROUP_PREFIX}${runId && runId.length > 0 ? runId : 'local'}-`;
}
