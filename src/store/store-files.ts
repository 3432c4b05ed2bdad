/**
 * The embedded store's files: a snapshot of every object (`state.json`, replaced
 * atomically) and an append-only log of the changes made after it (`state.json.log`, one
 * JSON record per line). A group of changes costs one append and one fdatasync of its own
 * size; the snapshot is rewritten only when the log has grown past the snapshot's size, so
 * a change's cost no longer grows with the store (before, each group rewrote the whole
 * store: at 5,000 agents a controller spent a quarter of its time writing snapshots).
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredObject } from './types.js';

/** The snapshot file's format (unchanged from the store's single-file days). */
export interface SnapshotFormat {
  resourceVersion: number;
  objects: StoredObject[];
}

/** One change in the log: the object as stored, or its removal when `object` is absent. */
export interface LogRecord {
  /** The store's resource version once this change was made. */
  rv: number;
  key: string;
  object?: StoredObject;
}

/** What the files hold: the newest resource version and every object by key. */
export interface LoadedState {
  rv: number;
  objects: Map<string, StoredObject>;
}

/** A log line other than the last one does not parse: the file was damaged, not torn. */
export class StoreLogCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
  ) {
    super(`${file}: line ${String(line)} is not a complete change record`);
    this.name = 'StoreLogCorruptError';
  }
}

/** The log grows to this many times the snapshot's size before a new snapshot. */
const COMPACT_FACTOR = 2;
/** ... and at least to this many bytes, so a small store is not snapshotted often. */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;

/** The snapshot and log of one embedded store. */
export class StoreFiles {
  private readonly logFile: string;
  private log: FileHandle | undefined;
  private logBytes = 0;
  private snapshotBytes = 0;
  /** An append failed: the log may miss changes the store holds, so snapshot next. */
  private needSnapshot = false;

  /**
   * @param file - the snapshot's path; the log is the same path with `.log` appended
   * @param compactMinBytes - the log's size below which no snapshot is due
   */
  constructor(
    private readonly file: string,
    private readonly compactMinBytes = COMPACT_MIN_BYTES,
  ) {
    this.logFile = `${file}.log`;
  }

  /**
   * Reads the snapshot, then replays the log's records newer than it. A last line that
   * does not parse is a torn append from a crash (its change was never acknowledged) and
   * is ignored; any other bad line throws {@link StoreLogCorruptError}.
   */
  load(keyOf: (o: StoredObject) => string): LoadedState {
    const objects = new Map<string, StoredObject>();
    let rv = 0;
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      this.snapshotBytes = Buffer.byteLength(text);
      const data = JSON.parse(text) as SnapshotFormat;
      rv = data.resourceVersion;
      for (const o of data.objects) objects.set(keyOf(o), o);
    }
    if (!existsSync(this.logFile)) return { rv, objects };
    const text = readFileSync(this.logFile, 'utf8');
    this.logBytes = Buffer.byteLength(text);
    const lines = text.split('\n');
    // A complete log ends with a newline, so its last element is empty.
    const last = lines.length - 1;
    const base = rv;
    lines.forEach((line, i) => {
      if (line === '') return;
      let rec: LogRecord;
      try {
        rec = JSON.parse(line) as LogRecord;
      } catch {
        if (i === last) return;
        throw new StoreLogCorruptError(this.logFile, i + 1);
      }
      // Records at or below the snapshot's version were written before it (a crash between
      // a snapshot's rename and the log's truncation leaves them).
      if (rec.rv <= base) return;
      if (rec.object) objects.set(rec.key, rec.object);
      else objects.delete(rec.key);
      rv = Math.max(rv, rec.rv);
    });
    return { rv, objects };
  }

  /** True when the next write should be a snapshot rather than an append. */
  get snapshotDue(): boolean {
    return (
      this.needSnapshot ||
      this.logBytes > Math.max(this.compactMinBytes, COMPACT_FACTOR * this.snapshotBytes)
    );
  }

  /** Appends records and makes them durable (fdatasync) before resolving. */
  async append(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    try {
      const log = await this.openLog();
      await log.appendFile(text);
      await log.datasync();
      this.logBytes += Buffer.byteLength(text);
    } catch (e) {
      this.needSnapshot = true;
      throw e;
    }
  }

  /**
   * Replaces the snapshot atomically (temp file, fsync, rename, fsync the directory), then
   * empties the log. A crash between the two leaves log records the snapshot already
   * holds; {@link load} skips them by resource version.
   */
  async snapshot(state: SnapshotFormat): Promise<void> {
    const text = JSON.stringify(state);
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    await syncDir(dirname(this.file));
    this.snapshotBytes = Buffer.byteLength(text);
    this.needSnapshot = false;
    if (this.logBytes > 0) {
      const log = await this.openLog();
      await log.truncate(0);
      await log.datasync();
      this.logBytes = 0;
    }
  }

  /** Closes the log's handle. */
  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.close();
  }

  private async openLog(): Promise<FileHandle> {
    if (this.log) return this.log;
    const created = !existsSync(this.logFile);
    this.log = await open(this.logFile, 'a');
    // A new file's directory entry must be durable too, or a crash could lose the log.
    if (created) await syncDir(dirname(this.logFile));
    return this.log;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
