/**
 * Test prerequisites. A test that needs something the machine may lack (root, cgroups,
 * a binary) asks here: under CI (MEZZO_REQUIRE_ALL=1) a missing prerequisite fails the
 * test; elsewhere it skips with a loud message naming how to get it.
 */
import type { TestContext } from 'node:test';

/** True when every prerequisite must be present (CI). */
export function requireAll(): boolean {
  return process.env.MEZZO_REQUIRE_ALL === '1';
}

/**
 * Returns true when the test may proceed. When `ok` is false: throws under CI,
 * otherwise marks the test skipped and returns false.
 */
export function prerequisite(t: TestContext, ok: boolean, what: string, howToGet: string): boolean {
  if (ok) return true;
  const msg = `missing prerequisite: ${what} (${howToGet})`;
  if (requireAll()) throw new Error(`${msg}; CI requires it`);
  process.stderr.write(`\n!!! SKIP ${t.name}: ${msg}\n`);
  t.skip(msg);
  return false;
}
