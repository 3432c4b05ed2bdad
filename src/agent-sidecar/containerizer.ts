/**
 * The containerizer: runs one task as a process group in its own cgroups, under a tiny
 * supervisor shell that outlives the agent.
 *
 * The agent spawns `/bin/sh -c SUPERVISOR mezzo-supervisor <sandbox> <uid> <gid> argv…`
 * detached (its own session), with stdout/stderr on the sandbox files. The supervisor
 *   1. writes its pid to `<sandbox>/.mezzo/supervisor.pid`,
 *   2. joins the task's cgroups (writes its pid to each cgroup.procs) and, on cgroup v1,
 *      the roots of the other hierarchies, leaving the agent's own cgroups there (a
 *      container runtime that stops the agent's container kills what is left in them),
 *   3. starts the task with `setsid` (a new session and process group, so kill signals
 *      to the task's group never reach the supervisor), optionally `unshare` (new pid and
 *      mount namespaces, a private /proc) and, unless the task runs as root, `setpriv` to
 *      drop to the task's uid/gid with no supplementary groups,
 *   4. writes the task's pid (= its process group id) to `.mezzo/task.pid`,
 *   5. waits for it and writes its exit status (128+n for signal n) to `.mezzo/exit`
 *      with shell builtins only (a forked helper could be caught by the agent's SIGKILL
 *      sweep of the cgroup); the agent reads the file only after the supervisor is gone.
 * Because the supervisor is not tied to the agent (no pipes, own session), `kill -9` of
 * the agent leaves every task and its exit status intact for the restarted agent.
 */
import { spawn } from 'node:child_process';
import { constants, promises as fsp, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Cgroups } from './cgroups.js';
import { readProcStat, isSameLiveProcess } from './procfs.js';

const SUPERVISOR = `
sb="$1"; uid="$2"; gid="$3"; shift 3
# The supervisor (root) works in .mezzo/ by its directory, not its path: the task owns the
# sandbox and could rename .mezzo and put a symlink there, and a write through "$sb/.mezzo/exit"
# would then land wherever it points.
cd "$sb/.mezzo" || exit 127
echo $$ > supervisor.pid
finish() { echo "$1" > exit; exit "$1"; }
# Best effort: a hierarchy whose root cannot be joined keeps the agent's cgroup there.
for f in $MEZZO_CGROUP_LEAVE; do echo $$ 2>/dev/null > "$f"; done
unset MEZZO_CGROUP_LEAVE
for f in $MEZZO_CGROUP_PROCS; do
  if ! echo $$ > "$f"; then echo "mezzo: cannot join cgroup $f" >&2; finish 127; fi
done
unset MEZZO_CGROUP_PROCS
ns=""
if [ "$MEZZO_PID_NAMESPACE" = 1 ]; then
  # pid 1 of a namespace ignores signals it has no handler for, so a small init
  # forwards SIGTERM/SIGINT/SIGHUP to the task and exits with its status.
  init='"$@" & c=$!; trap "kill -TERM $c 2>/dev/null" TERM INT HUP; while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done'
  set -- /bin/sh -c "$init" mezzo-init "$@"
  ns="unshare --pid --fork --kill-child --mount-proc"
fi
unset MEZZO_PID_NAMESPACE
trap 'true' TERM INT HUP
if [ -n "$uid" ]; then
  (cd "$sb" || exit 127; exec setsid $ns setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@") &
else
  (cd "$sb" || exit 127; exec setsid $ns "$@") &
fi
child=$!
echo $child > task.pid
while :; do
  wait $child
  code=$?
  kill -0 $child 2>/dev/null || break
done
finish $code
`;

/** What the containerizer needs to start a task. */
export interface LaunchSpec {
  sandbox: string;
  cgroup: string;
  /** The program and its arguments. */
  argv: string[];
  env: Record<string, string>;
  /**
   * Run the task in new pid and mount namespaces (`unshare --pid --fork --mount-proc`):
   * it sees itself as pid 1 and only its own processes in /proc.
   */
  pidNamespace?: boolean;
  /** uid/gid to run as; undefined runs as the agent's own user (root). */
  uid: number | undefined;
  gid: number | undefined;
}

/** How a task's supervisor ended. */
export interface ExitInfo {
  /** The task's exit status as the shell reports it (128+n when killed by signal n). */
  status: number | undefined;
}

/** A started (or reattached) task process. */
export interface TaskProcess {
  pid: number;
  startTime: number;
  /** Resolves when the supervisor has exited. */
  exited: Promise<ExitInfo>;
}

/** Reads the exit status the supervisor wrote, if any. */
export async function readExitStatus(sandbox: string): Promise<number | undefined> {
  try {
    const t = (await fsp.readFile(join(sandbox, '.mezzo', 'exit'), 'utf8')).trim();
    const n = Number(t);
    return t !== '' && Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const n = Number((await fsp.readFile(path, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Launches, reattaches to and signals task processes. */
export class Containerizer {
  constructor(
    private readonly cgroups: Cgroups,
    private readonly reapIntervalMs: number,
  ) {}

  /** Starts the supervisor for `spec`; the sandbox and cgroup must exist. */
  async launch(spec: LaunchSpec): Promise<TaskProcess> {
    const meta = join(spec.sandbox, '.mezzo');
    await fsp.mkdir(meta, { recursive: true });
    // The sandbox belongs to the task's user and holds what it fetched: a `stdout` symlink
    // there must not make the agent (root) append to the file it points at.
    const logFlags =
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
    const out = openSync(join(spec.sandbox, 'stdout'), logFlags, 0o644);
    let err: number;
    try {
      err = openSync(join(spec.sandbox, 'stderr'), logFlags, 0o644);
    } catch (e) {
      closeSync(out);
      throw e;
    }
    let child;
    try {
      child = spawn(
        '/bin/sh',
        [
          '-c',
          SUPERVISOR,
          'mezzo-supervisor',
          spec.sandbox,
          spec.uid === undefined ? '' : String(spec.uid),
          spec.gid === undefined ? '' : String(spec.gid),
          ...spec.argv,
        ],
        {
          cwd: spec.sandbox,
          detached: true,
          stdio: ['ignore', out, err],
          env: {
            ...spec.env,
            MEZZO_CGROUP_PROCS: this.cgroups.procsFiles(spec.cgroup).join(' '),
            MEZZO_CGROUP_LEAVE: this.cgroups.leaveFiles().join(' '),
            MEZZO_PID_NAMESPACE: spec.pidNamespace ? '1' : '0',
          },
        },
      );
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', () => {
        void readExitStatus(spec.sandbox).then((status) => resolve({ status }));
      });
      child.once('error', () => resolve({ status: undefined }));
    });
    // The agent must be able to exit while tasks run; 'exit' still fires while it lives.
    child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      await exited;
      throw new Error('could not start the task supervisor (/bin/sh)');
    }
    const st = await readProcStat(pid);
    return { pid, startTime: st?.startTime ?? -1, exited };
  }

  /**
   * Watches a supervisor that is not our child (after an agent restart): polls its
   * identity until it is gone, then reads the exit status from the sandbox.
   */
  reattach(pid: number, startTime: number, sandbox: string): TaskProcess {
    const exited = new Promise<ExitInfo>((resolve) => {
      const poll = (): void => {
        void isSameLiveProcess(pid, startTime).then(async (alive) => {
          if (alive) {
            setTimeout(poll, this.reapIntervalMs).unref();
            return;
          }
          resolve({ status: await readExitStatus(sandbox) });
        });
      };
      poll();
    });
    return { pid, startTime, exited };
  }

  /**
   * Sends `signal` to the task's process group, and to every process in its cgroup other
   * than the supervisor (children that left the group are caught too).
   */
  async signal(
    sandbox: string,
    cgroup: string,
    supervisorPid: number | undefined,
    signal: NodeJS.Signals,
  ): Promise<void> {
    const taskPid = await readPidFile(join(sandbox, '.mezzo', 'task.pid'));
    if (taskPid !== undefined) {
      try {
        process.kill(-taskPid, signal);
      } catch {
        // group gone
      }
    }
    for (const pid of await this.cgroups.pids(cgroup)) {
      if (pid === supervisorPid) continue;
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
  }

  /** The supervisor pid a launch wrote, for recovery when the agent died mid-launch. */
  async supervisorPid(sandbox: string): Promise<number | undefined> {
    return readPidFile(join(sandbox, '.mezzo', 'supervisor.pid'));
  }
}
