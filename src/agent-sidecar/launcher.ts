/**
 * The task launcher: one long-lived `perl` child of the agent that forks every task's
 * supervisor (the protocol and the Perl text are in launcher-script.ts). Node's `spawn`
 * forks the whole agent process and waits for the child's `exec` on the event loop
 * (10–16 ms per task on the development machine, 26 % of the agent's time in a burst of
 * launches); the launcher's fork is a small interpreter's, off the agent's event loop, and
 * the supervisor it forks needs no `exec` of its own.
 *
 * Exits come back as `exited <key> <status>` lines, written by each supervisor after it
 * recorded the status in `.mezzo/supervisor`. A supervisor killed before it could write (SIGKILL from outside) is
 * found by one sweep over the live supervisors' identities (pid and start time), every
 * second and only while there are any, not by a timer per task. If the launcher itself
 * dies, the supervisors it started keep running and keep reporting on the same pipe; the
 * next launch starts a new launcher.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../shared/logger.js';
import { LAUNCHER, launchText, syscallNumbers, type LaunchFileSpec } from './launcher-script.js';
import { isSameLiveProcess, parseStat, readProcStat } from './procfs.js';

/** How a task's supervisor ended. */
export interface ExitInfo {
  /** The task's exit status as the shell reports it (128+n when killed by signal n). */
  status: number | undefined;
}

/** A started task supervisor. */
export interface StartedSupervisor {
  pid: number;
  startTime: number;
  /** Resolves when the supervisor has exited. */
  exited: Promise<ExitInfo>;
}

/** The launcher could not start a supervisor. */
export class LaunchFailedError extends Error {
  /** `why` names the step that failed. */
  constructor(
    readonly key: string,
    readonly why: string,
  ) {
    super(`could not start the supervisor of ${key}: ${why}`);
    this.name = 'LaunchFailedError';
  }
}

/** The launcher's answer to a start request. */
interface Started {
  pid: number;
  /** Undefined when the launcher could not read it (read again from /proc). */
  startTime: number | undefined;
}

interface Pending {
  resolve(started: Started): void;
  reject(err: Error): void;
}

interface Live {
  pid: number;
  startTime: number;
  sandbox: string;
  resolve(info: ExitInfo): void;
}

/** Where a supervisor records its exit status (read when no `exited` line came). */
export type ExitStatusReader = (sandbox: string) => Promise<number | undefined>;

/** Starts task supervisors through one Perl launcher process. */
export class Launcher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly live = new Map<string, Live>();
  /** Exit lines that arrived before the `started` answer was handled. */
  private readonly early = new Map<string, number>();
  /**
   * Supervisors that said `exited` (pid → start time and reap requests left): a supervisor
   * writes that line just before it exits, so a `reap` handled in between misses it, and
   * reaping is asked again until it is gone.
   */
  private readonly unreaped = new Map<number, { startTime: number; tries: number }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private reapTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * `sweepMs`: how often supervisors that never reported are looked for; `perl`: the
   * interpreter the launcher runs on; `leave`: the cgroup.procs files it moves itself to
   * when it starts (Cgroups.leaveFiles()), so that its supervisors and tasks start there;
   * `syscalls`: its system calls' numbers (tests pass '' to make it load POSIX).
   */
  constructor(
    private readonly logger: Logger,
    private readonly readExitStatus: ExitStatusReader,
    private readonly sweepMs = 1000,
    private readonly perl = PERL,
    private readonly leave: readonly string[] = [],
    private readonly syscalls = syscallNumbers(),
  ) {}

  /**
   * Starts a supervisor: opens the task's log files (O_NOFOLLOW: a symlink in the sandbox
   * must not redirect the agent's writes) and asks the launcher to fork it with the launch
   * text. Resolves once the supervisor's pid and start time are known.
   */
  async start(spec: LaunchFileSpec): Promise<StartedSupervisor> {
    const text = launchText(spec);
    const logFlags =
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
    // Synchronous opens and closes: microseconds on the sandbox's local file system.
    const fds: number[] = [];
    let answer: Started;
    try {
      for (const name of ['stdout', 'stderr'])
        fds.push(openSync(join(spec.sandbox, name), logFlags, 0o644));
      const [out = -1, err = -1] = fds;
      answer = await this.request(spec.key, out, err, text);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    const { pid } = answer;
    const startTime = answer.startTime ?? (await readProcStat(pid))?.startTime ?? -1;
    const exited = new Promise<ExitInfo>((resolve) => {
      const early = this.early.get(spec.key);
      if (early !== undefined) {
        this.early.delete(spec.key);
        this.awaitReap(pid, startTime);
        resolve({ status: early });
        return;
      }
      this.live.set(spec.key, { pid, startTime, sandbox: spec.sandbox, resolve });
      this.armSweep();
    });
    return { pid, startTime, exited };
  }

  /** Closes the launcher's stdin (it exits; supervisors keep running) and stops watching. */
  close(): void {
    this.closed = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    if (this.reapTimer) clearTimeout(this.reapTimer);
    this.sweepTimer = undefined;
    this.reapTimer = undefined;
    this.unreaped.clear();
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin?.end();
      // Supervisors hold the answer pipe open; the agent must be able to exit regardless.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    }
    for (const p of this.pending.values()) p.reject(new LaunchFailedError('-', 'agent stopping'));
    this.pending.clear();
  }

  /** Supervisors started and not yet known to have exited. */
  get liveCount(): number {
    return this.live.size;
  }

  /** The launcher's pid (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private request(key: string, out: number, err: number, text: string): Promise<Started> {
    if (this.closed) return Promise.reject(new LaunchFailedError(key, 'agent stopping'));
    if (this.pending.has(key))
      return Promise.reject(new LaunchFailedError(key, 'already starting'));
    // launchText() writes one line; a newline here would start a second request.
    if (/[\n]/.test(text) || /[\s]/.test(key))
      return Promise.reject(new LaunchFailedError(key, 'the launch request is not one line'));
    const child = this.ensureChild();
    return new Promise<Started>((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
      child.stdin?.write(`${key} ${String(out)} ${String(err)} ${text}\n`);
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      return this.child;
    // An empty environment: PERL5OPT, PERL5LIB and the like cannot change what runs as root.
    const args = [String(process.pid), path(), this.syscalls, ...this.leave];
    const child = spawn(this.perl, ['-e', LAUNCHER, ...args], {
      // Its own session: a terminal's Ctrl-C to the agent's group does not reach it.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {},
    });
    this.child = child;
    const { stdout, stderr, stdin } = child;
    createInterface({ input: stdout }).on('line', (line) => this.onLine(line));
    createInterface({ input: stderr }).on('line', (line) => {
      this.logger.warn('task launcher', { line });
    });
    stdin.on('error', () => undefined);
    // No perl (spawn failed): the requests fail with the reason, and the agent lives on.
    child.once('error', (err) => {
      this.logger.warn('task launcher failed', { error: err.message });
      if (this.child === child) this.child = undefined;
      for (const [key, p] of this.pending) p.reject(new LaunchFailedError(key, err.message));
      this.pending.clear();
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.closed) this.logger.warn('task launcher exited', { code, signal });
      // Requests it never answered fail; supervisors it started still report on the pipe.
      for (const [key, p] of this.pending) p.reject(new LaunchFailedError(key, 'launcher exited'));
      this.pending.clear();
    });
    child.unref();
    return child;
  }

  /** Handles one line of the launcher's answer pipe (protected: tests inject lines). */
  protected onLine(line: string): void {
    const [what, key, arg] = line.split(' ', 3);
    if (key === undefined) return;
    if (what === 'started') {
      const p = this.pending.get(key);
      this.pending.delete(key);
      const pid = Number(arg);
      // The rest of the line is the supervisor's stat, when the launcher could read it.
      const stat = parseStat(line.slice(`started ${key} ${arg ?? ''} `.length));
      const startTime = stat?.pid === pid ? stat.startTime : undefined;
      if (Number.isInteger(pid) && pid > 0) p?.resolve({ pid, startTime });
      else p?.reject(new LaunchFailedError(key, `bad answer "${line}"`));
    } else if (what === 'failed') {
      const p = this.pending.get(key);
      this.pending.delete(key);
      p?.reject(new LaunchFailedError(key, 'the launcher could not open the log files'));
    } else if (what === 'exited') {
      const status = Number(arg);
      const known = Number.isInteger(status) ? status : undefined;
      this.askReap();
      const l = this.live.get(key);
      if (l) {
        this.live.delete(key);
        this.awaitReap(l.pid, l.startTime);
        l.resolve({ status: known });
      } else if (known !== undefined) {
        this.early.set(key, known);
      }
    }
  }

  /** Asks the launcher to reap ended supervisors: one request per 200 ms at most. */
  private askReap(): void {
    if (this.reapTimer || this.closed) return;
    this.reapTimer = setTimeout(() => {
      this.reapTimer = undefined;
      if (this.unreaped.size > 0) this.checkReaped();
      this.child?.stdin?.write('reap\n');
    }, 200);
    this.reapTimer.unref();
  }

  /** Remembers a supervisor that said `exited` until a later check finds it reaped. */
  private awaitReap(pid: number, startTime: number): void {
    this.unreaped.set(pid, { startTime, tries: UNREAPED_TRIES });
    this.askReap();
  }

  /**
   * Drops the supervisors gone since the last `reap` (or given up on: one orphaned to a
   * parent that never reaps would be asked about for ever) and asks again for the rest.
   * A read of /proc/<pid>/stat is microseconds, and this runs only after exits.
   */
  private checkReaped(): void {
    for (const [pid, u] of this.unreaped) {
      u.tries -= 1;
      if (u.tries <= 0 || readProcStartTimeSync(pid) !== u.startTime) this.unreaped.delete(pid);
    }
    if (this.unreaped.size > 0) this.askReap();
  }

  /** One timer for every live supervisor: those gone without a word are settled here. */
  private armSweep(): void {
    if (this.sweepTimer || this.closed || this.live.size === 0) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      void this.sweep().finally(() => this.armSweep());
    }, this.sweepMs);
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    const entries = [...this.live];
    const alive = await Promise.all(entries.map(([, l]) => isSameLiveProcess(l.pid, l.startTime)));
    await Promise.all(
      entries.map(async ([key, l], i) => {
        if (alive[i] || this.live.get(key) !== l) return;
        this.live.delete(key);
        l.resolve({ status: await this.readExitStatus(l.sandbox) });
      }),
    );
  }
}

/** Reap requests for one supervisor after its `exited` line (200 ms apart: 10 s). */
const UNREAPED_TRIES = 50;

/** The start time of process `pid` (zombie or not), undefined when there is none. */
function readProcStartTimeSync(pid: number): number | undefined {
  try {
    return parseStat(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'))?.startTime;
  } catch {
    return undefined;
  }
}

/** The launcher's interpreter (perl-base: Essential on Debian, in the agent's image). */
const PERL = '/usr/bin/perl';

/** The agent's PATH, or the usual one: where the launcher finds unshare, setpriv, env. */
function path(): string {
  return process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}
