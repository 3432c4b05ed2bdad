/**
 * The credentials of in-process controllers and agents in tests: one random admin token
 * for the test process, set as `$MEZZO_TOKEN` so that SDK clients, agents and the CLI
 * helpers find it as they would a dev token. Child processes that run their own
 * `mezzo dev` get an environment without it (dev-process.ts: `envWithoutToken`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devAccess } from '../../src/auth/access-from-flags.js';
import { newToken } from '../../src/auth/token.js';
import type { AccessControl } from '../../src/auth/types.js';

/** The admin token of this test process's controllers. */
export const TEST_TOKEN: string = process.env.MEZZO_TOKEN ?? newToken();
process.env.MEZZO_TOKEN = TEST_TOKEN;

/** Access control where {@link TEST_TOKEN}'s holder is the administrator. */
export const testAccess: AccessControl = devAccess(TEST_TOKEN);

/** `authorization` header for {@link TEST_TOKEN} (or another token). */
export function authHeader(token: string = TEST_TOKEN): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Writes {@link TEST_TOKEN} to `<dir>/token` (mode 0600) and returns the path, for `--token-file`. */
export function writeTestTokenFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'token');
  writeFileSync(file, `${TEST_TOKEN}\n`, { mode: 0o600 });
  return file;
}
