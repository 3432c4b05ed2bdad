/**
 * Durable files: atomic replace (write a temp file, fsync it, rename, fsync the directory)
 * and fsync'd appends. Checkpoints and status-update logs go through here.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';

let tmpCounter = 0;

/** Replaces `path` with `data` atomically and durably. */
export async function atomicWrite(path: string, data: string): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${String(process.pid)}.${String(tmpCounter++)}.tmp`,
  );
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** Writes `value` as JSON with {@link atomicWrite}. */
export async function atomicWriteJson(path: string, value: unknown): Promise<void> {
  await atomicWrite(path, `${JSON.stringify(value)}\n`);
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

/** An append-only log whose every append is on disk (fdatasync) before it resolves. */
export class AppendLog {
  private fh: fsp.FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends one line; appends are serialised in call order. */
  append(line: string): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.fh) {
        this.fh = await fsp.open(this.path, 'a', 0o600);
        await fsyncDir(dirname(this.path));
      }
      await this.fh.write(`${line}\n`);
      await this.fh.datasync();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close();
  }
}
