/**
 * Durable files: atomic replace (write a temp file, fsync it, rename, fsync the directory)
 * and fsync'd appends. Checkpoints and status-update logs go through here.
 *
 * "Atomic" and "durable" are separate: a rename alone already survives a crash of the
 * agent process (the page cache is the kernel's), and fsync only matters for a crash of
 * the machine. Writes whose content is moot after a machine crash (a supervisor's pid: no
 * process survives a reboot) skip the fsyncs.
 */
import {
  closeSync,
  constants,
  fdatasync,
  fsync,
  fsyncSync,
  openSync,
  promises as fsp,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { promisify } from 'node:util';

/**
 * Flushes of a raw descriptor, on libuv's threadpool: only the wait for the disk is worth
 * a round trip there. The agent's other calls on its own small files (open, an append of
 * a line, close, mkdir) are synchronous: each takes microseconds on a local file system,
 * less than a threadpool round trip (a thread wake-up, a promise, a FileHandle object to
 * collect), which a burst of launches paid about 30 times a task.
 */
const fsyncFd = promisify(fsync);

/** Waits until what was written through `fd` is on disk (fdatasync). */
export const flushData: (fd: number) => Promise<void> = promisify(fdatasync);

let tmpCounter = 0;

const tmpFor = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${String(process.pid)}.${String(tmpCounter++)}.tmp`);

/**
 * Replaces `path` with `value` as JSON atomically and durably (a temp file, fsync, rename,
 * fsync of the directory), in synchronous calls: what the agent does next must not
 * overtake it (the agent ID, before any launch that follows it).
 */
export function atomicWriteJsonSync(path: string, value: unknown): void {
  const tmp = tmpFor(path);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Fsyncs a directory so that a rename or a new entry in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** A file's text; undefined when it does not exist (other errors reject). */
export async function readTextIfThere(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads JSON from `path`, or undefined when the file does not exist. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}

/**
 * An append-only log whose appends are on disk (fdatasync) before they resolve, unless
 * asked otherwise: an unsynced line becomes durable with the next synced one (fdatasync
 * flushes the whole file).
 */
export class AppendLog {
  private fd: number | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends one line (fdatasync'd unless `sync` is false); appends keep call order. */
  append(line: string, sync = true): Promise<void> {
    const next = this.chain.then(async () => {
      const fd = (this.fd ??= await this.openFile());
      // One write of a line far below a page: a crash leaves it whole or a torn tail.
      writeSync(fd, `${line}\n`);
      if (sync) await flushData(fd);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Opens the log for appending. A file that already exists was created by whoever
   * fsync'd its directory before appending to it (the first checkpoint creates the
   * status-update log in the same directory fsync), so it is opened as it is: one open,
   * the usual case. A file this creates has its directory entry fsync'd before the first
   * line counts as durable.
   */
  private async openFile(): Promise<number> {
    try {
      return openSync(this.path, constants.O_WRONLY | constants.O_APPEND);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      const fd = openSync(this.path, 'ax', 0o600);
      try {
        await fsyncDir(dirname(this.path));
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      return fd;
    } catch (err) {
      // Created by someone else in between: theirs to make durable, as above.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return openSync(this.path, 'a', 0o600);
    }
  }

  /** Closes the log once every append made so far has landed. */
  async close(): Promise<void> {
    await this.chain;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}
