/**
 * Durable files: atomic replace (write a temp file, fsync it, rename, fsync the directory)
 * and fsync'd appends. Checkpoints and status-update logs go through here.
 *
 * "Atomic" and "durable" are separate: a rename alone already survives a crash of the
 * agent process (the page cache is the kernel's), and fsync only matters for a crash of
 * the machine. Writes whose content is moot after a machine crash (a supervisor's pid: no
 * process survives a reboot) skip the fsyncs.
 */
import { constants, promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';

let tmpCounter = 0;

/**
 * Replaces `path` with `data` atomically and, unless `durable` is false, durably (on disk
 * when it resolves).
 */
export async function atomicWrite(path: string, data: string, durable = true): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${String(process.pid)}.${String(tmpCounter++)}.tmp`,
  );
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
  if (durable) await fsyncDir(dirname(path));
}

/** Writes `value` as JSON with {@link atomicWrite}. */
export async function atomicWriteJson(path: string, value: unknown, durable = true): Promise<void> {
  await atomicWrite(path, `${JSON.stringify(value)}\n`, durable);
}

/** Fsyncs a directory so that a rename or a new entry in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
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
  private fh: fsp.FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends one line (fdatasync'd unless `sync` is false); appends keep call order. */
  append(line: string, sync = true): Promise<void> {
    const next = this.chain.then(async () => {
      this.fh ??= await this.openFile();
      await this.fh.write(`${line}\n`);
      if (sync) await this.fh.datasync();
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
  private async openFile(): Promise<fsp.FileHandle> {
    try {
      return await fsp.open(this.path, constants.O_WRONLY | constants.O_APPEND);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      const fh = await fsp.open(this.path, 'ax', 0o600);
      await fsyncDir(dirname(this.path));
      return fh;
    } catch (err) {
      // Created by someone else in between: theirs to make durable, as above.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return fsp.open(this.path, 'a', 0o600);
    }
  }

  async close(): Promise<void> {
    await this.chain;
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close();
  }
}
