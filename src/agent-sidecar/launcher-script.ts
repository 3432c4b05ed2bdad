/**
 * The Perl text of the task launcher (launcher.ts) and the launch request the agent sends
 * it. Pure values and functions, kept apart so that the encoding can be tested on its own.
 *
 * The launcher is one long-lived `perl` (perl-base, an Essential package of Debian and of
 * the agent's image; no module but Fcntl on x86-64 and arm64, POSIX elsewhere). It
 * leaves the agent's cgroups in the hierarchies where tasks get none of their own, then reads one request per line on
 * stdin, `<key> <stdout fd> <stderr fd> <words…>`, opens the task's log files through the
 * agent's own descriptors (`/proc/<agent>/fd/N`: the inode the agent opened with
 * O_NOFOLLOW, whatever the path names by now), forks the task's supervisor (a copy of
 * itself: no `exec`), and answers `started <key> <pid> <the supervisor's /proc/<pid>/stat>`
 * (the start time that identifies it, read before the launcher could reap it) or
 * `failed <key>`; a `reap` line makes it reap the supervisors that have ended (so does
 * every request). The supervisor answers `exited <key> <status>` on the same pipe once it
 * has recorded the status in `.mezzo/supervisor`. Those lines are far below PIPE_BUF, so lines from many writers
 * never interleave; only the launcher writes `started` lines.
 *
 * Per task that is one `fork` for the supervisor and one `fork` + `exec` for the task: the
 * supervisor joins the task's cgroups, and its child calls `setsid`, sets its groups to the
 * task's gid alone, `setgid`, `setuid` (as root both set the real, effective and saved
 * ids), changes to the sandbox, replaces its environment with the task's and `exec`s the
 * program; so the task's environment reaches only the task's own program, and nothing it
 * sets (`PATH`, `LD_PRELOAD`, `PERL5OPT`) reaches code that runs as root. The launcher's
 * own environment is the agent's `PATH` alone. A task in its own pid namespace is the one
 * exception to the single `exec`: its child `exec`s the chain `unshare` → `setpriv` →
 * `env -i` → an init shell, found on the agent's `PATH`, as every task did before.
 */

/**
 * The launcher; `$ARGV[0]` is the agent's pid, `$ARGV[1]` the PATH its tools are found on,
 * `$ARGV[2]` the numbers of the system calls it makes ({@link syscallNumbers}; empty: it
 * loads POSIX), the rest the cgroup.procs files it moves itself to on a best-effort basis.
 * Words of a request are percent-encoded (see {@link encodeWord}): `sandbox uid gid chain`,
 * then two counted lists (`n` then `n` words): the cgroup.procs files to join and the
 * `NAME=value` environment; then the program and its arguments. `uid` and `gid` are empty for a task that runs as root; `chain` is 1 when the
 * argv is a chain of tools that runs as root with the launcher's environment and drops to
 * the task's user itself.
 */
export const LAUNCHER = String.raw`
use strict; use warnings; use Fcntl qw(O_WRONLY O_CREAT O_TRUNC O_APPEND O_NOFOLLOW);
my ($agent, $path, $sys, @leave) = @ARGV;
%ENV = (PATH => $path);
$0 = 'mezzo-launcher';
$| = 1;
# System calls by number where the agent knows them (syscallNumbers()): every fork of this
# process copies its heap, and the POSIX module would double it. Elsewhere, POSIX.
my %nr;
@nr{qw(setsid setgid setuid exit close)} = map { $_ + 0 } split /,/, $sys;
require POSIX unless defined $nr{close};
sub sys { my ($n, @a) = @_; my $r = syscall($n, map { $_ + 0 } @a); return $r == -1 ? undef : 1 }
sub quit { if (defined $nr{exit}) { sys($nr{exit}, $_[0]); exit $_[0] } POSIX::_exit($_[0]) }
sub sid { defined $nr{setsid} ? sys($nr{setsid}) : POSIX::setsid() }
sub gid { defined $nr{setgid} ? sys($nr{setgid}, $_[0]) : POSIX::setgid($_[0]) }
sub uid { defined $nr{setuid} ? sys($nr{setuid}, $_[0]) : POSIX::setuid($_[0]) }
# Descriptors the agent left open without close-on-exec would reach every task: closed.
if (opendir(my $d, '/proc/self/fd')) {
  my @fds = grep { /^\d+$/ && $_ > 2 } readdir $d;
  closedir $d;
  defined $nr{close} ? sys($nr{close}, $_) : POSIX::close($_) for @fds;
}
my $FLAGS = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW;
# Out of the agent's cgroups in the hierarchies where tasks get none of their own: once,
# here, inherited by every supervisor and task (each supervisor wrote them all before).
for my $f (@leave) { put($f, '0') or print STDERR "mezzo: cannot leave for $f: $!\n" }
sub dec { my $s = shift; $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; return $s }
# Writes a small file in one write; false when any step failed.
sub put {
  my ($file, $text) = @_;
  sysopen(my $h, $file, $FLAGS, 0644) or return 0;
  my $n = syswrite($h, $text);
  return close($h) && defined $n && $n == length $text;
}
sub task {
  my ($sb, $uid, $gid, $chain, $env, $argv) = @_;
  $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP);
  sid() or die "mezzo: setsid: $!\n";
  chdir $sb or die "mezzo: cannot enter the sandbox: $!\n";
  if (!$chain) {
    if ($uid ne '') {
      $) = "$gid $gid";
      gid($gid) or die "mezzo: setgid $gid: $!\n";
      uid($uid) or die "mezzo: setuid $uid: $!\n";
      # Real, effective, saved and file-system ids, and the groups, as the kernel has them.
      die "mezzo: could not drop to uid $uid gid $gid\n" unless dropped($uid, $gid);
    }
    %ENV = map { split /=/, $_, 2 } @$env;
  }
  { no warnings 'exec'; exec { $argv->[0] } @$argv; }
  my $code = $!{ENOENT} ? 127 : 126;
  print STDERR "mezzo: cannot run $argv->[0]: $!\n";
  quit($code);
}
sub dropped {
  my ($uid, $gid) = @_;
  open(my $st, '<', '/proc/self/status') or return 0;
  my %f = map { /^(Uid|Gid|Groups):\s*(.*?)\s*$/ ? ($1 => $2) : () } <$st>;
  close $st;
  my @u = split ' ', $f{Uid} // '';
  my @g = split ' ', $f{Gid} // '';
  return @u == 4 && !grep({ $_ != $uid } @u) && @g == 4 && !grep({ $_ != $gid } @g)
    && !grep { $_ != $gid } split ' ', $f{Groups} // '';
}
sub supervise {
  my ($key, $o, $e, @w) = @_;
  $0 = 'mezzo-supervisor';
  my ($sb, $uid, $gid, $chain) = splice @w, 0, 4;
  my @procs = splice @w, 0, shift @w;
  my @env = splice @w, 0, shift @w;
  # The answer pipe on a descriptor above 2: close-on-exec, so the task never holds it.
  open(my $ans, '>&', \*STDOUT) or quit(127);
  open(STDIN, '<', '/dev/null'); open(STDOUT, '>&', $o); open(STDERR, '>&', $e);
  close $o; close $e;
  # Works in .mezzo/ by its directory, not its path: the task owns the sandbox and could
  # rename .mezzo and put a symlink there.
  if (!chdir "$sb/.mezzo") { syswrite $ans, "exited $key 127\n"; quit(127) }
  # One file for its pid, the task's pid and the exit status (supervisor-record.ts): a line
  # each, appended through this descriptor (close-on-exec: the task never holds it).
  my $rec;
  sysopen($rec, 'supervisor', $FLAGS | O_APPEND, 0644) and syswrite $rec, "supervisor $$\n";
  my $note = sub { syswrite $rec, $_[0] if $rec };
  my $finish = sub { $note->("exit $_[0]\n"); syswrite $ans, "exited $key $_[0]\n"; quit($_[0]) };
  for my $f (@procs) {
    next if put($f, '0');
    print STDERR "mezzo: cannot join cgroup $f\n";
    $finish->(127);
  }
  $SIG{$_} = sub {} for qw(TERM INT HUP);
  my $child = fork;
  if (!defined $child) { print STDERR "mezzo: cannot fork: $!\n"; $finish->(127) }
  if ($child == 0) {
    eval { task($sb, $uid, $gid, $chain, \@env, \@w) };
    print STDERR $@;
    quit(127);
  }
  $note->("task $child\n");
  my $r;
  do { $r = waitpid($child, 0) } until $r == $child || $r == -1;
  my $s = $?;
  $finish->($r == -1 ? 127 : ($s & 127) ? 128 + ($s & 127) : $s >> 8);
}
while (defined(my $line = <STDIN>)) {
  chomp $line;
  1 while waitpid(-1, 1) > 0; # WNOHANG
  next if $line eq 'reap';
  my ($key, $out, $err, @w) = split / /, $line, -1;
  next unless defined $err;
  my ($o, $e);
  my $ok = $out =~ /^\d+$/ && $err =~ /^\d+$/
    && sysopen($o, "/proc/$agent/fd/$out", O_WRONLY | O_APPEND)
    && sysopen($e, "/proc/$agent/fd/$err", O_WRONLY | O_APPEND);
  my $pid = $ok ? fork : undef;
  if (!defined $pid) { print "failed $key\n"; next }
  if ($pid == 0) {
    eval { supervise($key, $o, $e, map { dec($_) } @w) };
    quit(127);
  }
  close $o; close $e;
  my $st = '';
  if (open(my $s, '<', "/proc/$pid/stat")) { $st = <$s> // ''; chomp $st; close $s }
  print "started $key $pid $st\n";
}
`;

/**
 * A pid-namespace init: pid 1 of a namespace ignores signals it has no handler for, so it
 * forwards SIGTERM/SIGINT/SIGHUP to the task and exits with its status.
 */
const PID_NS_INIT =
  '"$@" & c=$!; trap "kill -TERM $c 2>/dev/null" TERM INT HUP; while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done';

/** Bytes a request word carries as they are; every other byte is written `%XX`. */
const PLAIN = /^[A-Za-z0-9_./:=@+,-]*$/;

/**
 * Percent-encodes one word of a launch request (its UTF-8 bytes), so that a word never
 * holds a space, a newline or a `%` of its own; the launcher decodes `%XX` back to bytes.
 */
export function encodeWord(s: string): string {
  if (PLAIN.test(s)) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && PLAIN.test(c) ? c : `%${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** What a launch request starts. */
export interface LaunchFileSpec {
  sandbox: string;
  key: string;
  uid: number | undefined;
  gid: number | undefined;
  /** cgroup.procs files the supervisor joins. */
  procs: readonly string[];
  pidNamespace: boolean;
  env: Record<string, string>;
  argv: readonly string[];
}

/** Why a launch spec cannot be sent to the launcher. */
export class LaunchSpecError extends Error {
  /** Names the field that is not representable. */
  constructor(readonly detail: string) {
    super(`cannot launch: ${detail}`);
    this.name = 'LaunchSpecError';
  }
}

/**
 * The words of a launch request after its key and log descriptors, encoded, one line.
 * Refuses what an `execve` cannot carry (NUL bytes) and a program whose name contains `=`
 * (`env` reads it as an assignment in the pid-namespace chain; refused everywhere alike);
 * environment names with `=` or NUL are dropped.
 */
export function launchText(spec: LaunchFileSpec): string {
  const program = spec.argv[0];
  if (program === undefined || program === '') throw new LaunchSpecError('no program to run');
  if (program.includes('=')) throw new LaunchSpecError(`program name contains "=": ${program}`);
  for (const a of spec.argv) {
    if (a.includes('\0')) throw new LaunchSpecError('an argument contains a NUL byte');
  }
  const env = Object.entries(spec.env)
    .filter(([k, v]) => k !== '' && !k.includes('=') && !k.includes('\0') && !v.includes('\0'))
    .map(([k, v]) => `${k}=${v}`);
  const uid = spec.uid === undefined ? '' : String(spec.uid);
  const gid = spec.gid === undefined ? '' : String(spec.gid);
  const counted = (xs: readonly string[]): string[] => [String(xs.length), ...xs];
  // A pid-namespace task's argv is a chain that drops to the task's user and sets its
  // environment itself: the launcher passes no environment of its own to it.
  const chain = spec.pidNamespace
    ? [
        '0',
        'unshare',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        ...(spec.uid === undefined
          ? []
          : ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--']),
        'env',
        '-i',
        ...env,
        '/bin/sh',
        '-c',
        PID_NS_INIT,
        'mezzo-init',
      ]
    : counted(env);
  const words = [
    spec.sandbox,
    uid,
    gid,
    spec.pidNamespace ? '1' : '0',
    ...counted(spec.procs),
    ...chain,
    ...spec.argv,
  ];
  return words.map(encodeWord).join(' ');
}

/**
 * The launcher's system calls by number on this architecture (`setsid`, `setgid`,
 * `setuid`, `exit_group`, `close`), so that it need not load POSIX, whose symbols double
 * the private heap every supervisor's fork copies (2.1 MB against 0.8 MB); empty where
 * unknown, and the launcher loads POSIX.
 */
export function syscallNumbers(arch: string = process.arch): string {
  return SYSCALLS[arch] ?? '';
}

/** From the kernel's tables: arch/x86/entry/syscalls/syscall_64.tbl and asm-generic/unistd.h. */
const SYSCALLS: Readonly<Record<string, string>> = {
  x64: '112,106,105,231,3',
  arm64: '157,144,146,94,57',
};
