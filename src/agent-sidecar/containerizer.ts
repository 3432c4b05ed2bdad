/**
 * The containerizer: runs one task as a process group in its own cgroups, under a small
 * supervisor process that outlives the agent.
 *
 * The task launcher (launcher.ts, one long-lived perl) forks the supervisor, a copy of
 * itself with stdout/stderr on the sandbox files (the Perl text is in launcher-script.ts).
 * It
 *   1. opens (and truncates) `<sandbox>/.mezzo/supervisor` and writes its own pid there
 *      (`supervisor <pid>`; supervisor-record.ts),
 *   2. joins the task's cgroups (writes 0, itself, to each cgroup.procs) and, on cgroup v1,
 *      the roots of the other hierarchies, leaving the agent's own cgroups there (a
 *      container runtime that stops the agent's container kills what is left in them),
 *   3. forks the task's process, which calls `setsid` (a new session and process group, so
 *      kill signals to the task's group never reach the supervisor), unless the task runs
 *      as root drops to the task's uid/gid with the task's gid as its only group, enters
 *      the sandbox, takes the task's environment (only the task's own program sees it) and
 *      `exec`s the program; with a pid namespace it `exec`s `unshare` → `setpriv` →
 *      `env -i` → an init shell instead (new pid and mount namespaces, a private /proc),
 *   4. appends the task's pid (= its process group id) to that file (`task <pid>`),
 *   5. waits for it and appends its exit status (`exit <status>`, 128+n for signal n)
 *      itself (a forked helper could be caught by the agent's SIGKILL sweep of the
 *      cgroup); the agent reads the file only after the supervisor is gone.
 * The supervisor is not the agent's child and reads nothing from it; its only tie is the
 * pipe it reports its exit on, and a write to a pipe nobody reads comes after the exit
 * file. So `kill -9` of the agent leaves every task and its exit status intact for the
 * restarted agent.
 */
import type { Logger } from '../shared/logger.js';
import type { Cgroups } from './cgroups.js';
import { Launcher, type ExitInfo, type StartedSupervisor } from './launcher.js';
import { isSameLiveProcess } from './procfs.js';
import { readSupervisorRecord } from './supervisor-record.js';

export type { ExitInfo } from './launcher.js';

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

/** A started (or reattached) task process. */
export type TaskProcess = StartedSupervisor;

/** Reads the exit status the supervisor wrote, if any. */
export async function readExitStatus(sandbox: string): Promise<number | undefined> {
  return (await readSupervisorRecord(sandbox)).exit;
}

/** Launches, reattaches to and signals task processes. */
export class Containerizer {
  private readonly launcher: Launcher;

  constructor(
    private readonly cgroups: Cgroups,
    private readonly reapIntervalMs: number,
    logger: Logger,
  ) {
    this.launcher = new Launcher(logger, readExitStatus, 1000, undefined, cgroups.leaveFiles());
  }

  /** Starts the supervisor for `spec`; the sandbox (with `.mezzo/`) and cgroup must exist. */
  async launch(spec: LaunchSpec): Promise<TaskProcess> {
    return this.launcher.start({
      sandbox: spec.sandbox,
      key: spec.cgroup,
      uid: spec.uid,
      gid: spec.gid,
      procs: this.cgroups.procsFiles(spec.cgroup),
      pidNamespace: spec.pidNamespace ?? false,
      env: spec.env,
      argv: spec.argv,
    });
  }

  /** Stops the launcher (tasks keep running, as after a crash). */
  close(): void {
    this.launcher.close();
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
   * Sends `signal` to the task's process group (while its leader is in the task's cgroup),
   * and to every process in its cgroup other than the supervisor (children that left the
   * group are caught too). Returns how many
   * signals reached a process: 0 before the supervisor has forked the task (and after
   * the task has exited).
   */
  async signal(
    sandbox: string,
    cgroup: string,
    supervisorPid: number | undefined,
    signal: NodeJS.Signals,
  ): Promise<number> {
    let reached = 0;
    const send = (target: number) => {
      try {
        process.kill(target, signal);
        reached++;
      } catch {
        // gone
      }
    };
    const [{ taskPid }, pids] = await Promise.all([
      readSupervisorRecord(sandbox),
      this.cgroups.pids(cgroup),
    ]);
    // The record lies in the sandbox, which the task owns (it can put a `.mezzo` of its own
    // there): a group is signalled only when its leader is in the task's cgroup, never a
    // pid the task names (`task 1` would be kill(-1) from root).
    if (taskPid !== undefined && pids.includes(taskPid)) send(-taskPid);
    for (const pid of pids) if (pid !== supervisorPid) send(pid);
    return reached;
  }

  /** The supervisor pid a launch wrote, for recovery when the agent died mid-launch. */
  async supervisorPid(sandbox: string): Promise<number | undefined> {
    return (await readSupervisorRecord(sandbox)).supervisorPid;
  }
}
