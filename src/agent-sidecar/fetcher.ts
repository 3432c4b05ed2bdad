/**
 * The fetcher: downloads a task's URIs (http, https, file, or an absolute path) into its
 * sandbox before launch, optionally through a size-bounded cache shared by all tasks
 * (least recently used entries evicted first), then extracts archives (tar via the `tar`
 * binary, zip via `unzip`) and sets the executable bit when asked.
 *
 * The agent is root and what it fetches is chosen by a framework: a local path is read
 * with the task user's rights (a `cat` running as that user), never the agent's, so
 * `file:///etc/shadow` fails for a task running as `nobody`; every file is created
 * exclusively (O_EXCL), so a symlink an earlier archive left under the same name cannot
 * redirect the write; and the executable bit is set before extraction, on the file just
 * written, not through whatever an archive may have replaced it with.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { constants, createWriteStream, promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { MezzoError, describeError } from '../shared/errors.js';
import type { UriInfo } from '../gen/mezzo/v1/UriInfo.js';

/** A fetch that failed; the message is shown to the user in the task status. */
export class FetchError extends MezzoError {
  constructor(uri: string, why: string) {
    super('FETCH_FAILED', `failed to fetch ${uri}: ${why}`, { uri });
  }
}

/** The task's user, when it is not the agent's: local files are read with its rights. */
export interface FetchUser {
  uid: number;
  gid: number;
}

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|zip)$/i;

/**
 * Copies `path` (named by the URI `value`) to a new file `dest`, reading it as `as` (`cat`
 * with that uid and gid).
 */
async function copyAs(value: string, path: string, dest: string, as: FetchUser): Promise<void> {
  const out = await fsp.open(dest, 'wx', 0o644);
  let failed = true;
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('cat', ['--', path], {
        uid: as.uid,
        gid: as.gid,
        stdio: ['ignore', out.fd, 'pipe'],
      });
      let err = '';
      p.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      p.on('error', reject);
      p.on('exit', (code) => {
        if (code === 0) resolve();
        else if (/No such file/.test(err)) reject(new FetchError(value, `no such file ${path}`));
        else if (/Permission denied/.test(err))
          reject(
            new FetchError(value, `uid ${String(as.uid)} (the task's user) may not read ${path}`),
          );
        else
          reject(new FetchError(value, `cat exited ${String(code)}: ${err.trim().slice(0, 300)}`));
      });
    });
    failed = false;
  } finally {
    await out.close();
    if (failed) await fsp.rm(dest, { force: true });
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited ${String(code)}: ${err.trim().slice(0, 300)}`));
    });
  });
}

/** Downloads URIs; one per agent. */
export class Fetcher {
  constructor(
    private readonly cacheDir: string,
    private readonly maxCacheBytes: number,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Fetches every URI into `sandbox`; throws {@link FetchError} on the first failure. */
  async fetchAll(uris: readonly UriInfo[], sandbox: string, as?: FetchUser): Promise<void> {
    for (const uri of uris) await this.fetchOne(uri, sandbox, as);
  }

  private async fetchOne(uri: UriInfo, sandbox: string, as: FetchUser | undefined): Promise<void> {
    const value = uri.value ?? '';
    if (!value) throw new FetchError('(empty)', 'the URI is empty');
    const name = uri.output_file || basename(new URL(value, 'file:///').pathname) || 'download';
    if (name.includes('/') || name === '..' || name === '.') {
      throw new FetchError(value, `bad output file name "${name}"`);
    }
    const dest = join(sandbox, name);
    try {
      const local = !/^https?:\/\//i.test(value);
      // A local file cached by the agent would be read with root's rights.
      if (uri.cache && this.maxCacheBytes > 0 && !(local && as)) {
        const entry = join(this.cacheDir, createHash('sha256').update(value).digest('hex'));
        try {
          await fsp.access(entry);
          const now = new Date();
          await fsp.utimes(entry, now, now);
        } catch {
          await fsp.mkdir(this.cacheDir, { recursive: true });
          const tmp = `${entry}.${String(process.pid)}.${String(Date.now())}.part`;
          await this.download(value, tmp);
          await fsp.rename(tmp, entry);
          await this.evict(entry);
        }
        await fsp.copyFile(entry, dest, constants.COPYFILE_EXCL);
      } else {
        await this.download(value, dest, as);
      }
      if (uri.executable) await fsp.chmod(dest, 0o755);
      if (uri.extract && ARCHIVE.test(name)) {
        if (/\.zip$/i.test(name)) await run('unzip', ['-o', '-q', dest, '-d', sandbox], sandbox);
        else await run('tar', ['-xf', dest, '-C', sandbox, '--no-same-owner'], sandbox);
      }
    } catch (err) {
      if (err instanceof FetchError) throw err;
      throw new FetchError(value, describeError(err));
    }
  }

  private async download(value: string, dest: string, as?: FetchUser): Promise<void> {
    if (/^https?:\/\//i.test(value)) {
      const res = await fetch(value, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok || !res.body) {
        throw new FetchError(value, `HTTP ${String(res.status)} ${res.statusText}`);
      }
      await pipeline(
        Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
        createWriteStream(dest, { flags: 'wx', mode: 0o644 }),
      );
      return;
    }
    let path: string;
    if (value.startsWith('file://')) path = fileURLToPath(value);
    else if (value.startsWith('/')) path = value;
    else throw new FetchError(value, 'unsupported scheme (http, https, file or an absolute path)');
    try {
      if (as) await copyAs(value, path, dest, as);
      else await fsp.copyFile(path, dest, constants.COPYFILE_EXCL);
    } catch (err) {
      if (err instanceof FetchError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new FetchError(value, `no such file ${path}`);
      throw new FetchError(value, describeError(err));
    }
  }

  /** Removes least recently used entries until the cache fits, never `keep`. */
  private async evict(keep: string): Promise<void> {
    const names = await fsp.readdir(this.cacheDir);
    const entries: { path: string; size: number; atime: number }[] = [];
    for (const n of names) {
      if (n.endsWith('.part')) continue;
      const p = join(this.cacheDir, n);
      try {
        const st = await fsp.stat(p);
        entries.push({ path: p, size: st.size, atime: st.mtimeMs });
      } catch {
        // raced with another eviction
      }
    }
    let total = entries.reduce((a, e) => a + e.size, 0);
    entries.sort((a, b) => a.atime - b.atime);
    for (const e of entries) {
      if (total <= this.maxCacheBytes) break;
      if (e.path === keep) continue;
      await fsp.rm(e.path, { force: true });
      total -= e.size;
    }
  }
}
