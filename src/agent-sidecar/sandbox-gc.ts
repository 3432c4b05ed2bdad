/**
 * Garbage collection of finished tasks: a sandbox and its checkpoint are kept until the
 * terminal update was acknowledged (so a restarted agent can still resend it) and then for
 * the configured age (so operators can read the logs of a task that just failed).
 */
import { promises as fsp } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import type { StatusUpdateManager } from './status-updates.js';
import type { TaskRecord } from './task-record.js';

/** How often the GC sweep runs: a quarter of the age, between 1 s and 60 s. */
export function gcIntervalMs(gcAgeSeconds: number): number {
  return Math.min(60, Math.max(1, gcAgeSeconds / 4)) * 1000;
}

/**
 * Removes (from `tasks`, the update manager and disk) every task done, with its terminal
 * update acknowledged, for at least `gcAgeMs` at `now`. Returns how many were removed.
 */
export async function collectGarbage(
  tasks: Map<string, TaskRecord>,
  updates: StatusUpdateManager,
  now: number,
  gcAgeMs: number,
  logger: Logger,
): Promise<number> {
  let removed = 0;
  for (const [id, t] of [...tasks]) {
    if (t.phase !== 'done' || !updates.isDone(id)) continue;
    if (now - (t.finishedAt ?? now) < gcAgeMs) continue;
    await updates.close(id);
    tasks.delete(id);
    await fsp.rm(t.sandbox, { recursive: true, force: true });
    await fsp.rm(t.metaDir, { recursive: true, force: true });
    removed++;
  }
  if (removed > 0) logger.info('garbage-collected sandboxes', { removed });
  return removed;
}
