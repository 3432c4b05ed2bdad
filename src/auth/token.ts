/**
 * Bearer tokens as files and headers: the dev token `mezzo dev` writes to its work dir
 * (random, owner-only), how a client or server reads a token file, how a token is pulled
 * from an `Authorization` header, and how two tokens are compared without leaking, through
 * timing, how much of a guess was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MezzoError } from '../shared/errors.js';

/** The dev token's file name inside a `mezzo dev` work dir. */
export const DEV_TOKEN_FILE = 'token';

/** Random bytes in a dev token (256 bits, as base64url: 43 characters). */
export const DEV_TOKEN_BYTES = 32;

/** A token file that cannot be read or holds no token. */
export class TokenFileError extends MezzoError {
  constructor(file: string, why: string, options?: { cause?: unknown }) {
    super('TOKEN_FILE', `token file ${file}: ${why}`, { file }, options);
  }
}

/** A new random token. */
export function newToken(): string {
  return randomBytes(DEV_TOKEN_BYTES).toString('base64url');
}

/**
 * Writes a new random token to `<dir>/token`, readable by its owner only, and returns it
 * with the file's path. An existing file is replaced: each `mezzo dev` run has its own.
 */
export async function writeDevToken(dir: string): Promise<{ token: string; file: string }> {
  const file = path.join(dir, DEV_TOKEN_FILE);
  const token = newToken();
  // The mode applies only to a new file; chmod covers a file left by an earlier run.
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, file };
}

/** The token in a file (surrounding whitespace removed), as a ServiceAccount token is read. */
export async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TokenFileError(file, err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }
  const token = text.trim();
  if (!token) throw new TokenFileError(file, 'the file is empty');
  if (/\s/.test(token)) throw new TokenFileError(file, 'a token is one word without spaces');
  return token;
}

/** The token of an `Authorization: Bearer <token>` value; undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * The password of an `Authorization: Basic <base64(user:password)>` value, taken as a
 * bearer token: Mesos scheduler libraries send their principal and secret this way (the
 * user name is not trusted; the token says who the caller is). Undefined when there is none.
 */
export function basicPassword(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' || /\s/.test(password) ? undefined : password;
}

/**
 * Whether two tokens are equal, in time that does not depend on where they differ:
 * both are hashed first, so even their lengths do not show.
 */
export function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(tokenDigest(a), tokenDigest(b));
}

/**
 * A token's SHA-256: what {@link sameToken} compares. A token known in advance is kept
 * as its digest, so that checking a presented one hashes only that one.
 */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether two digests from {@link tokenDigest} are equal, in constant time. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
