/**
 * A task's checkpoint on disk, written without replacing files. The first checkpoint
 * (before STARTING is reported) goes to `task.json`, durably; every later one (pid, kill,
 * finish time, reattach) is one line appended to `task.log`, without fsync, and the last
 * complete line wins.
 *
 * Why not write-temp-and-rename each time: every rename over an existing file frees an
 * inode, and ext4 skips inodes freed in the last ~30 s when it allocates a new one by
 * reading their inode-table blocks (`recently_deleted`), so a burst of launches spent
 * about 5 % of the machine's CPU in `__ext4_new_inode` (perf, 1,000 `true` tasks). An
 * append frees nothing. The guarantees are the rename's: an agent crash leaves the old
 * state or the new (a torn last line is ignored, like the status-update log's), a machine
 * crash keeps at least the first checkpoint, and `task.json` never changes once written,
 * so readers that only need the task's identity (the soak oracle) read it as before.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, readJson } from './fsutil.js';
import type { TaskCheckpoint } from './task-record.js';

/** The first checkpoint's file name in a task's meta directory. */
export const FIRST_CHECKPOINT = 'task.json';
/** A task's status-update log (status-updates.ts), created with the first checkpoint. */
export const UPDATES_LOG = 'updates.log';
/** The later checkpoints' file name (one JSON object a line). */
export const LATER_CHECKPOINTS = 'task.log';

/**
 * Writes the first checkpoint durably, and creates the files named in `alsoCreate` (empty)
 * in the same directory so that the one directory fsync covers their entries too.
 * `task.log` is created empty as well (it would be at the next checkpoint anyway): lines
 * left by an earlier task of the same key must not override this one's checkpoint.
 */
export async function writeFirstCheckpoint(
  metaDir: string,
  cp: TaskCheckpoint,
  alsoCreate: readonly string[] = [],
): Promise<void> {
  await Promise.all([
    ...alsoCreate.map(async (name) => (await fsp.open(join(metaDir, name), 'a', 0o600)).close()),
    (async () => (await fsp.open(join(metaDir, LATER_CHECKPOINTS), 'w', 0o600)).close())(),
  ]);
  const fh = await fsp.open(join(metaDir, FIRST_CHECKPOINT), 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(cp)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await fsyncDir(metaDir);
}

/** Appends a later checkpoint (one write: a crash leaves the whole line or a torn tail). */
export async function appendCheckpoint(metaDir: string, cp: TaskCheckpoint): Promise<void> {
  await fsp.appendFile(join(metaDir, LATER_CHECKPOINTS), `${JSON.stringify(cp)}\n`, {
    mode: 0o600,
  });
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

/**
 * The task's latest checkpoint: the last complete line of `task.log`, else `task.json`;
 * undefined when neither exists. Throws {@link CheckpointUnreadableError} when `task.json`
 * is not JSON (a first write torn by a crash: the task was never reported).
 */
export async function readLatestCheckpoint(metaDir: string): Promise<TaskCheckpoint | undefined> {
  let text = '';
  try {
    text = await fsp.readFile(join(metaDir, LATER_CHECKPOINTS), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line) continue;
    try {
      return JSON.parse(line) as TaskCheckpoint;
    } catch {
      // a torn tail: the line before it is the latest complete checkpoint
    }
  }
  const path = join(metaDir, FIRST_CHECKPOINT);
  try {
    return (await readJson(path)) as TaskCheckpoint | undefined;
  } catch (err) {
    throw new CheckpointUnreadableError(path, err instanceof Error ? err.message : String(err));
  }
}
