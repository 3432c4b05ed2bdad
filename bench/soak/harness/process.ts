/**
 * One component of the soak (controller, agent, batch framework) as an OS process the
 * harness can SIGKILL, SIGSTOP and start again. Output is appended to a log file that
 * outlives restarts; an exit the harness did not cause is recorded as a crash, with the
 * end of the log as evidence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/** An exit the harness did not ask for. */
export interface Crash {
  process: string;
  at: number;
  code: number | null;
  signal: string | null;
  logTail: string[];
}

/** The last `n` lines of a file. */
function tail(file: string, n = 15): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n);
}

/** A restartable child process. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private expectExit = false;
  private stoppedBySignal = false;
  /** How many times it was started. */
  starts = 0;
  /** Unexpected exits. */
  readonly crashes: Crash[] = [];

  /**
   * @param name - for reports
   * @param argv - node arguments, evaluated at each start
   * @param logFile - stdout and stderr go here, appended
   */
  constructor(
    readonly name: string,
    private readonly argv: () => string[],
    readonly logFile: string,
    /** Environment variables added to this process's own. */
    private readonly env: Readonly<Record<string, string>> = {},
  ) {}

  /** Its pid while it runs. */
  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  /** Whether it runs (possibly stopped by SIGSTOP). */
  get alive(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Whether it is held by SIGSTOP now. */
  get frozen(): boolean {
    return this.alive && this.stoppedBySignal;
  }

  /** Starts it (it must not be running). */
  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, this.argv(), {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...this.env },
    });
    closeSync(fd);
    this.child = child;
    this.starts++;
    this.expectExit = false;
    this.stoppedBySignal = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.expectExit) {
          this.crashes.push({
            process: this.name,
            at: Date.now(),
            code,
            signal,
            logTail: tail(this.logFile),
          });
        }
        resolve();
      });
    });
  }

  /** Sends SIGKILL (to a frozen one too) and waits for the exit. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.expectExit = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Freezes it (SIGSTOP): it holds its sockets but answers nothing. */
  freeze(): void {
    if (!this.alive) return;
    this.child?.kill('SIGSTOP');
    this.stoppedBySignal = true;
  }

  /** Thaws it (SIGCONT). */
  thaw(): void {
    if (!this.alive || !this.stoppedBySignal) return;
    this.child?.kill('SIGCONT');
    this.stoppedBySignal = false;
  }
}

/** Resident set size of a process in MiB, from /proc (undefined once it is gone). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}
