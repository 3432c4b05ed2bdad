/**
 * How a client (the CLI, the SDK, a built-in framework, the agent) finds its bearer
 * token, as kubectl finds its kubeconfig: an explicit token or token file, else
 * `$MEZZO_TOKEN`, else the file `$MEZZO_TOKEN_FILE` names, else the file a running `mezzo dev`
 * registered for the address being called (`~/.mezzo/servers/<host>_<port>`), else
 * `.mezzo/token` (the default `mezzo dev` work dir) in the current directory.
 */
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { DEV_TOKEN_FILE, readTokenFile } from './token.js';

/** Where a client's token may come from. */
export interface TokenSource {
  /** The token itself. */
  readonly token?: string;
  /** A file holding it (re-read at each lookup: a rotated ServiceAccount token works). */
  readonly tokenFile?: string;
  /** The address called (`host:port` or a URL), to find a `mezzo dev` registration. */
  readonly address?: string;
}

/** The folder `mezzo dev` registers its servers' token files in (`$MEZZO_HOME/servers`). */
export function serversDir(): string {
  return path.join(process.env.MEZZO_HOME ?? path.join(homedir(), '.mezzo'), 'servers');
}

/** The registration's file name of an address: `127.0.0.1:5050` → `127.0.0.1_5050`. */
export function registrationName(address: string): string {
  let hostPort = address;
  try {
    if (address.includes('://')) hostPort = new URL(address).host;
  } catch {
    // Not a URL: taken as host:port.
  }
  return hostPort.replace(/^localhost(?=:|$)/, '127.0.0.1').replace(/[^A-Za-z0-9.-]/g, '_');
}

/**
 * Registers `tokenFile` for each address (a link in {@link serversDir}); the returned
 * function removes the links that still point at this file.
 */
export async function registerDevServer(
  addresses: readonly string[],
  tokenFile: string,
): Promise<() => Promise<void>> {
  const dir = serversDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const links = addresses.map((a) => path.join(dir, registrationName(a)));
  for (const link of links) {
    await rm(link, { force: true });
    await symlink(tokenFile, link);
  }
  return async () => {
    for (const link of links) {
      const target = await readlink(link).catch(() => undefined);
      if (target === tokenFile) await rm(link, { force: true });
    }
  };
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readTokenFile(file);
  } catch {
    return undefined;
  }
}

/** The token for a call, or undefined when none is found (the server will say 401). */
export async function findToken(source: TokenSource = {}): Promise<string | undefined> {
  if (source.token) return source.token;
  // A named file must be readable: a silent fallback would hide a typo.
  if (source.tokenFile) return readTokenFile(source.tokenFile);
  const env = process.env.MEZZO_TOKEN?.trim();
  if (env) return env;
  const file = process.env.MEZZO_TOKEN_FILE;
  if (file) return readTokenFile(file);
  if (source.address) {
    const registered = await readIfThere(path.join(serversDir(), registrationName(source.address)));
    if (registered) return registered;
  }
  return readIfThere(path.join('.mezzo', DEV_TOKEN_FILE));
}

/** The `authorization` header value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}
