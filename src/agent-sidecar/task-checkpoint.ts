/**
 * A task's checkpoint on disk, written without replacing files, in one file: `task.json`.
 * Its first line is the first checkpoint (before STARTING is reported), written durably;
 * every later one (pid, kill, finish time, reattach) is one more line appended, without
 * fsync, and the last complete line wins.
 *
 * Why not write-temp-and-rename each time: every rename over an existing file frees an
 * inode, and ext4 without a journal skips inodes freed in the last 60 s (360 s while
 * their inode-table block is dirty) when it allocates a new one, reading each one's
 * inode-table block (`recently_deleted`), so a burst of launches spent
 * about 5 % of the machine's CPU in `__ext4_new_inode` (perf, 1,000 `true` tasks). An
 * append frees nothing. Why one file (since issue 17's round 3; later lines were in a
 * second file, `task.log`, before): inode allocation was still the largest kernel cost of
 * a burst, one inode and one open fewer per task. The guarantees are the rename's: an
 * agent crash leaves the old state or the new (a torn last line is ignored, like the
 * status-update log's), a machine crash keeps at least the first line, and the first
 * line never changes once written, so readers that only need the task's identity (the
 * soak oracle) read it alone. A task checkpointed by an older agent (one line in
 * `task.json`, the later ones in `task.log`) still reads.
 */
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { flushData, fsyncDir, readTextIfThere } from './fsutil.js';
import type { TaskCheckpoint } from './task-record.js';

/** The checkpoint file in a task's meta directory (the first checkpoint, then one a line). */
export const FIRST_CHECKPOINT = 'task.json';
/** A task's status-update log (status-updates.ts), created with the first checkpoint. */
export const UPDATES_LOG = 'updates.log';
/** Where an older agent appended the later checkpoints (read for its tasks only). */
export const LEGACY_LATER_CHECKPOINTS = 'task.log';

/**
 * Writes the first checkpoint durably (`task.json`, truncated: lines of an earlier task of
 * the same key must not follow it), and creates the files named in `alsoCreate` (empty) in
 * the same directory so that the one directory fsync covers their entries too.
 */
export async function writeFirstCheckpoint(
  metaDir: string,
  cp: TaskCheckpoint,
  alsoCreate: readonly string[] = [],
): Promise<void> {
  for (const name of alsoCreate) closeSync(openSync(join(metaDir, name), 'a', 0o600));
  const fd = openSync(join(metaDir, FIRST_CHECKPOINT), 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(cp)}\n`);
    await flushData(fd);
  } finally {
    closeSync(fd);
  }
  await fsyncDir(metaDir);
}

/**
 * Appends a later checkpoint (one write: a crash leaves the whole line or a torn tail),
 * synchronously like the agent's other small writes (fsutil.ts).
 */
export function appendCheckpoint(metaDir: string, cp: TaskCheckpoint): void {
  appendFileSync(join(metaDir, FIRST_CHECKPOINT), `${JSON.stringify(cp)}\n`, { mode: 0o600 });
}

/** Why a task's checkpoint could not be read. */
export class CheckpointUnreadableError extends Error {
  /** `path` names the file whose content is not a checkpoint. */
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`unreadable task checkpoint ${path}: ${detail}`);
    this.name = 'CheckpointUnreadableError';
  }
}

/** The last line of `lines` that parses as JSON, if any. */
function lastParsed(lines: readonly string[]): TaskCheckpoint | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line) continue;
    try {
      return JSON.parse(line) as TaskCheckpoint;
    } catch {
      // a torn tail: the line before it is the latest complete checkpoint
    }
  }
  return undefined;
}

/**
 * The task's latest checkpoint: the last complete line of `task.json`; for a task an
 * older agent checkpointed (`task.json` holds only the first line), the last complete
 * line of its `task.log` if that is the same launch. Undefined when nothing was written.
 * Throws {@link CheckpointUnreadableError} when the first line is not a checkpoint (a
 * first write torn by a crash: the task was never reported).
 */
export async function readLatestCheckpoint(metaDir: string): Promise<TaskCheckpoint | undefined> {
  const path = join(metaDir, FIRST_CHECKPOINT);
  const text = await readTextIfThere(path);
  if (text === undefined) return undefined;
  const end = text.indexOf('\n');
  let first: TaskCheckpoint;
  try {
    // Before round 3 the file was the one JSON document, possibly without a newline.
    first = JSON.parse(end < 0 ? text : text.slice(0, end)) as TaskCheckpoint;
  } catch (err) {
    throw new CheckpointUnreadableError(path, err instanceof Error ? err.message : String(err));
  }
  // Lines after the first: only complete ones (the last may be torn or being written).
  const rest = end < 0 ? [] : text.slice(end + 1, text.lastIndexOf('\n') + 1).split('\n');
  const later = lastParsed(rest);
  if (later) return later;
  const legacy = await readTextIfThere(join(metaDir, LEGACY_LATER_CHECKPOINTS));
  const old = legacy === undefined ? undefined : lastParsed(legacy.split('\n'));
  // A task.log left by an earlier launch of the same key is not this one's.
  return old && old.launchedAt === first.launchedAt && old.key === first.key ? old : first;
}
