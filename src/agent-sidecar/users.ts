/**
 * Unix user lookup and sandbox ownership: tasks run as other users, so the agent resolves
 * the user itself (no libc binding in Node) and hands the sandbox over before launch.
 */
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of an /etc/passwd entry the agent needs. */
export interface PasswdEntry {
  uid: number;
  gid: number;
  home: string;
}

/**
 * Resolves a user name (or a bare numeric uid, used as gid too) from /etc/passwd;
 * undefined when unknown or the file is unreadable.
 */
export function lookupUser(name: string): PasswdEntry | undefined {
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: Number(name), home: '/' };
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined) {
      return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
    }
  }
  return undefined;
}

/** chown -R (without following symlinks), skipping the top-level entry `skip`. */
export async function chownTree(
  dir: string,
  uid: number,
  gid: number,
  skip?: string,
): Promise<void> {
  await fsp.lchown(dir, uid, gid);
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    if (e.name === skip) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await fsp.lchown(p, uid, gid);
  }
}
