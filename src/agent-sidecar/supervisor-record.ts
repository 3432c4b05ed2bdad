/**
 * What a task's supervisor records in `<sandbox>/.mezzo/`: its own pid, the task's pid
 * (= its process group id) and the task's exit status. Since issue 17's round 3 these are
 * lines of one file, `.mezzo/supervisor` (`supervisor <pid>`, `task <pid>`, `exit
 * <status>`), appended in that order through one descriptor the supervisor opens (and
 * truncates) first. They were three files (`supervisor.pid`, `task.pid`, `exit`): two
 * more inodes and two more opens per task, and inode allocation was the largest single
 * kernel cost of a burst of launches (docs/performance.md). A supervisor started by an
 * older agent still writes the three files, so a reader falls back to them when the one
 * file is absent.
 *
 * Only complete lines count: each is one `write` on an `O_APPEND` descriptor, and a reader
 * may look while the supervisor is between writes.
 */
import { join } from 'node:path';
import { readTextIfThere } from './fsutil.js';

/** The supervisor's file in `.mezzo/`. */
export const SUPERVISOR_FILE = 'supervisor';

/** The files of the layout before round 3, one figure each. */
const LEGACY = { supervisorPid: 'supervisor.pid', taskPid: 'task.pid', exit: 'exit' } as const;

/** What a supervisor has recorded so far; a field is absent until its line is written. */
export interface SupervisorRecord {
  supervisorPid?: number;
  taskPid?: number;
  /** The task's exit status (128+n for signal n). */
  exit?: number;
}

const KEYS = { supervisor: 'supervisorPid', task: 'taskPid', exit: 'exit' } as const;

function isKey(k: string): k is keyof typeof KEYS {
  return Object.hasOwn(KEYS, k);
}

/**
 * Parses the supervisor file's text: complete lines only (a line without its newline may
 * still be being written), pids positive integers, the exit status a non-negative one;
 * anything else is ignored. A later line of the same kind wins.
 */
export function parseSupervisorRecord(text: string): SupervisorRecord {
  const out: SupervisorRecord = {};
  const end = text.lastIndexOf('\n');
  if (end < 0) return out;
  for (const line of text.slice(0, end).split('\n')) {
    const m = /^([a-z]+) (\d{1,10})$/.exec(line);
    if (!m) continue;
    const [, k = '', v = ''] = m;
    if (!isKey(k)) continue;
    const n = Number(v);
    if (k !== 'exit' && n === 0) continue;
    out[KEYS[k]] = n;
  }
  return out;
}

/** One figure of the legacy layout: the whole file, trimmed, as an integer. */
async function legacyFigure(dir: string, file: string, min: number): Promise<number | undefined> {
  const t = (await readTextIfThere(join(dir, file)))?.trim();
  if (t === undefined || !/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= min ? n : undefined;
}

/**
 * What the supervisor of the task in `sandbox` has recorded: `.mezzo/supervisor`, else
 * (a supervisor of an older agent) the three legacy files. Unreadable files read as
 * nothing recorded.
 */
export async function readSupervisorRecord(sandbox: string): Promise<SupervisorRecord> {
  const dir = join(sandbox, '.mezzo');
  try {
    const text = await readTextIfThere(join(dir, SUPERVISOR_FILE));
    if (text !== undefined) return parseSupervisorRecord(text);
    const [supervisorPid, taskPid, exit] = await Promise.all([
      legacyFigure(dir, LEGACY.supervisorPid, 1),
      legacyFigure(dir, LEGACY.taskPid, 1),
      legacyFigure(dir, LEGACY.exit, 0),
    ]);
    return {
      ...(supervisorPid === undefined ? {} : { supervisorPid }),
      ...(taskPid === undefined ? {} : { taskPid }),
      ...(exit === undefined ? {} : { exit }),
    };
  } catch {
    return {};
  }
}
