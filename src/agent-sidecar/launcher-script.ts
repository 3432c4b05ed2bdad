/**
 * The shell text of the task launcher (launcher.ts) and of the per-task launch files it
 * sources. Pure functions, kept apart so that the quoting can be tested on its own.
 *
 * The launcher is one long-lived `/bin/sh` (dash on Debian: about 1 MiB, so its `fork` is
 * cheap, where a `fork` of the agent's Node process cost 10–16 ms on the development
 * machine and blocked its event loop). It reads one request per line on stdin,
 * `<key> <stdout fd> <stderr fd> <launch text>`, opens the task's log files through the
 * agent's own descriptors (`/proc/<agent>/fd/N`: the inode the agent opened with
 * O_NOFOLLOW, whatever the path names by now), forks a subshell that evaluates the launch
 * text (one line: no file is written per task) and becomes the task's supervisor, and
 * answers `started <key> <pid> <the supervisor's /proc/<pid>/stat>` (the start time that
 * identifies it, read by a shell builtin before the launcher could reap it) or
 * `failed <key>`; a `reap` line makes it reap the supervisors that have ended. The
 * supervisor answers `exited <key> <status>` on the same pipe once it has written
 * `.mezzo/exit`. Those lines are far below PIPE_BUF, so lines from many writers never
 * interleave; only the launcher writes `started` lines.
 *
 * The task's environment applies only to the last program: `setpriv` drops to the task's
 * user and runs `env -i NAME=value… argv`, so nothing the framework sets (`PATH`,
 * `LD_PRELOAD`) reaches a program that runs as root; the launcher's own environment is the
 * agent's `PATH` alone.
 */

/**
 * The supervisor, run in a subshell of the launcher with its stdout/stderr on the task's
 * log files and fd 9 on the pipe to the agent. The launch file sets `sb`, `key`, `uid`,
 * `gid`, `procs`, `leave`, `ns` and the positional parameters (`NAME=value` entries for
 * `env -i`, then the program and its arguments), then calls `supervise`.
 */
const SUPERVISE = `
supervise() {
  # Works in .mezzo/ by its directory, not its path: the task owns the sandbox and could
  # rename .mezzo and put a symlink there.
  cd "$sb/.mezzo" || { echo "exited $key 127" >&9; exit 127; }
  read -r me rest < /proc/self/stat
  echo "$me" > supervisor.pid
  finish() { echo "$1" > exit; echo "exited $key $1" >&9; exit "$1"; }
  # Writing 0 to cgroup.procs moves the writer: this subshell (its $$ is the launcher's).
  for f in $leave; do echo 0 2>/dev/null > "$f"; done
  for f in $procs; do
    if ! echo 0 > "$f"; then echo "mezzo: cannot join cgroup $f" >&2; finish 127; fi
  done
  trap 'true' TERM INT HUP
  if [ -n "$uid" ]; then
    (cd "$sb" || exit 127; exec 9>&- setsid $ns setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env -i "$@") &
  else
    (cd "$sb" || exit 127; exec 9>&- setsid $ns env -i "$@") &
  fi
  child=$!
  echo $child > task.pid
  while :; do
    wait $child
    code=$?
    kill -0 $child 2>/dev/null || break
  done
  finish $code
}
`;

/** The launcher loop; `$1` is the agent's pid, `$2` the PATH its tools are found on. */
export const LAUNCHER = `${SUPERVISE}
agent="$1"; PATH="$2"; export PATH
nl='
'
while IFS=' ' read -r key out err text; do
  # "jobs" reaps the supervisors that ended (a shell waiting in "read" does not).
  if [ "$key" != reap ]; then
    { ( exec 9>&1 1>&3 2>&4 3>&- 4>&- 0</dev/null; eval "$text" ) & pid=$! st=
      read -r st 2>/dev/null < "/proc/$pid/stat"; echo "started $key $pid $st"; } \\
      3>>"/proc/$agent/fd/$out" 4>>"/proc/$agent/fd/$err" || echo "failed $key"
  fi
  jobs >/dev/null
done
`;

/**
 * A pid-namespace init: pid 1 of a namespace ignores signals it has no handler for, so it
 * forwards SIGTERM/SIGINT/SIGHUP to the task and exits with its status.
 */
const PID_NS_INIT =
  '"$@" & c=$!; trap "kill -TERM $c 2>/dev/null" TERM INT HUP; while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done';

/**
 * Quotes a string as one shell word on one line: single quotes keep every byte but NUL
 * literal, and a newline becomes `"$nl"` (the launcher's variable holding one), since the
 * launch text travels as one line.
 */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`).replace(/\n/g, `'"$nl"'`)}'`;
}

/** The shell assignment that defines `nl` as the launcher does (tests evaluate launch text). */
export const NEWLINE_VARIABLE = "nl='\n'";

/** What a launch file starts. */
export interface LaunchFileSpec {
  sandbox: string;
  key: string;
  uid: number | undefined;
  gid: number | undefined;
  /** cgroup.procs files the supervisor joins (must not contain spaces). */
  procs: readonly string[];
  /** cgroup.procs files of other hierarchies it moves to (best effort). */
  leave: readonly string[];
  pidNamespace: boolean;
  env: Record<string, string>;
  argv: readonly string[];
}

/** Why a launch spec cannot be written as a launch file. */
export class LaunchSpecError extends Error {
  /** Names the field that is not representable. */
  constructor(readonly detail: string) {
    super(`cannot launch: ${detail}`);
    this.name = 'LaunchSpecError';
  }
}

/**
 * The launch text for a task, one line: shell assignments and one `supervise` call.
 * Refuses what an `execve` cannot carry (NUL bytes) and a program whose name `env` would
 * read as an assignment (contains `=`); environment names with `=` or NUL are dropped.
 */
export function launchFile(spec: LaunchFileSpec): string {
  const program = spec.argv[0];
  if (program === undefined || program === '') throw new LaunchSpecError('no program to run');
  if (program.includes('=')) throw new LaunchSpecError(`program name contains "=": ${program}`);
  for (const a of spec.argv) {
    if (a.includes('\0')) throw new LaunchSpecError('an argument contains a NUL byte');
  }
  const env = Object.entries(spec.env)
    .filter(([k, v]) => k !== '' && !k.includes('=') && !k.includes('\0') && !v.includes('\0'))
    .map(([k, v]) => `${k}=${v}`);
  const init = spec.pidNamespace ? ['/bin/sh', '-c', PID_NS_INIT, 'mezzo-init'] : [];
  const words = [...env, ...init, ...spec.argv].map(shellQuote);
  return [
    `sb=${shellQuote(spec.sandbox)}`,
    `key=${shellQuote(spec.key)}`,
    `uid=${spec.uid === undefined ? "''" : String(spec.uid)}`,
    `gid=${spec.gid === undefined ? "''" : String(spec.gid)}`,
    `procs=${shellQuote(spec.procs.join(' '))}`,
    `leave=${shellQuote(spec.leave.join(' '))}`,
    `ns=${spec.pidNamespace ? "'unshare --pid --fork --kill-child --mount-proc'" : "''"}`,
    `set -- ${words.join(' ')}`,
    'supervise "$@"',
  ].join('; ');
}
