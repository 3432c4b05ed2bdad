// The launch request the agent sends the task launcher (one line on its stdin): whatever
// bytes a framework puts in a command, its arguments or its environment reach the task as
// the same strings (the real Perl launcher decodes them and runs the task here, as the
// agent's own user: no cgroups, no uid change), and what an execve cannot carry is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeWord,
  launchText,
  LaunchSpecError,
  syscallNumbers,
  type LaunchFileSpec,
} from '../../../src/agent-sidecar/launcher-script.js';
import { Launcher, LaunchFailedError } from '../../../src/agent-sidecar/launcher.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { tempDir } from '../../support/cleanup.js';

const base: LaunchFileSpec = {
  sandbox: "/tmp/sb with 'quotes'",
  key: 'k-0123456789',
  uid: 65534,
  gid: 65534,
  procs: ['/sys/fs/cgroup/memory/m/k/cgroup.procs'],
  pidNamespace: false,
  env: {},
  argv: ['/bin/sh', '-c', 'true'],
};

const hostile = [
  "it's",
  '$(touch /tmp/mezzo-pwned) `id` ${HOME}',
  'two\nlines',
  "'; exit 3; '",
  '\\n \\ \\\\',
  ' leading and trailing ',
  '',
  'ünïcödé ✓',
  '*?[a]',
  '%41 %%, 100%',
  'a=b=c',
];

/** The words of a request, decoded as the launcher decodes them (`%XX` to a byte). */
function words(text: string): string[] {
  return text.split(' ').map((w) => {
    const bytes: number[] = [];
    for (let i = 0; i < w.length; i++) {
      if (w[i] === '%') {
        bytes.push(parseInt(w.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(w.charCodeAt(i));
    }
    return Buffer.from(bytes).toString('utf8');
  });
}

/**
 * Runs `argv` through the real launcher with `env` (as `ids`, by default the agent's own
 * user; `syscalls` as the launcher is given them); resolves to its exit and output.
 */
async function launch(
  argv: string[],
  env: Record<string, string>,
  ids: { uid?: number; gid?: number } = {},
  syscalls = syscallNumbers(),
): Promise<{ status: number | undefined; stdout: string; stderr: string }> {
  const sandbox = tempDir('mezzo-launch-text-');
  mkdirSync(join(sandbox, '.mezzo'));
  const launcher = new Launcher(
    silentLogger(),
    () => Promise.resolve(undefined),
    1000,
    undefined,
    [],
    syscalls,
  );
  try {
    const sup = await launcher.start({
      ...base,
      sandbox,
      uid: ids.uid,
      gid: ids.gid,
      procs: [],
      env,
      argv,
    });
    const { status } = await sup.exited;
    const read = (name: string): string => readFileSync(join(sandbox, name), 'utf8');
    return { status, stdout: read('stdout'), stderr: read('stderr') };
  } finally {
    launcher.close();
  }
}

/** Runs `argv` that must succeed; resolves to its stdout. */
async function run(argv: string[], env: Record<string, string>): Promise<string> {
  const r = await launch(argv, env);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a word never holds a space, newline or stray %; plain words stay readable', () => {
  for (const s of hostile) {
    const w = encodeWord(s);
    assert.doesNotMatch(w, /[\s]|%(?![0-9a-f]{2})/, JSON.stringify(s));
    assert.deepEqual(words(w), [s], JSON.stringify(s));
  }
  assert.equal(
    encodeWord('/sys/fs/cgroup/memory/x/cgroup.procs'),
    '/sys/fs/cgroup/memory/x/cgroup.procs',
  );
});

test('every hostile string reaches the task unchanged, as an argument and in the environment', async () => {
  const args = await run(['/usr/bin/printf', '%s\\0', ...hostile], {});
  assert.deepEqual(args.split('\0').slice(0, -1), hostile);
  const env: Record<string, string> = {};
  hostile.forEach((s, i) => (env[`V${String(i)}`] = s));
  env['odd.name'] = 'x';
  const seen = await run(['/usr/bin/env', '-0'], env);
  assert.deepEqual(
    seen.split('\0').slice(0, -1).sort(),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .sort(),
    'the task sees exactly its own environment',
  );
});

test('the request lists the cgroups and environment counted; a pid namespace runs the chain', () => {
  const plain = words(launchText({ ...base, env: { A: '1' }, argv: ['/bin/echo', 'x'] }));
  assert.deepEqual(plain, [
    base.sandbox,
    '65534',
    '65534',
    '0',
    '1',
    base.procs[0],
    '1',
    'A=1',
    '/bin/echo',
    'x',
  ]);
  const root = words(launchText({ ...base, uid: undefined, gid: undefined }));
  assert.deepEqual(root.slice(1, 4), ['', '', '0']);
  const ns = words(launchText({ ...base, pidNamespace: true, env: { A: '1' } }));
  assert.equal(ns[3], '1', 'a chain of tools');
  assert.deepEqual(ns.slice(7, 19), [
    'unshare',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    'setpriv',
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    '--',
    'env',
    '-i',
  ]);
  assert.deepEqual(ns.slice(19, 22), ['A=1', '/bin/sh', '-c']);
  assert.deepEqual(ns.slice(-4), ['mezzo-init', '/bin/sh', '-c', 'true']);
  const nsRoot = words(launchText({ ...base, uid: undefined, gid: undefined, pidNamespace: true }));
  assert.deepEqual(nsRoot.slice(7, 14), [
    'unshare',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    'env',
    '-i',
  ]);
});

test('what execve or env cannot carry is refused; bad environment names are dropped', () => {
  const cases: { spec: Partial<LaunchFileSpec>; refused?: RegExp }[] = [
    { spec: { argv: [] }, refused: /no program/ },
    { spec: { argv: [''] }, refused: /no program/ },
    { spec: { argv: ['A=b'] }, refused: /contains "="/ },
    { spec: { argv: ['/bin/echo', 'nul\0byte'] }, refused: /NUL/ },
  ];
  for (const c of cases) {
    assert.throws(
      () => launchText({ ...base, ...c.spec }),
      (e: unknown) => {
        assert.ok(e instanceof LaunchSpecError);
        assert.match(e.message, c.refused ?? /./);
        return true;
      },
    );
  }
  const out = words(launchText({ ...base, env: { 'A=B': 'x', '': 'y', OK: 'nul\0', FINE: '1' } }));
  assert.deepEqual(out.slice(-5), ['1', 'FINE=1', '/bin/sh', '-c', 'true']);
});

test('a program that cannot run ends 127 (missing) or 126 (not executable), saying why', async () => {
  const dir = tempDir('mezzo-launch-noexec-');
  const plain = join(dir, 'not-executable');
  writeFileSync(plain, '#!/bin/sh\ntrue\n', { mode: 0o644 });
  const cases: [string, number, RegExp][] = [
    [join(dir, 'missing'), 127, /^mezzo: cannot run .*missing: No such file or directory\n$/],
    ['no-such-program-on-path', 127, /^mezzo: cannot run no-such-program-on-path: No such file/],
    [plain, 126, /^mezzo: cannot run .*not-executable: Permission denied\n$/],
  ];
  for (const [program, status, message] of cases) {
    const r = await launch([program], { PATH: '/usr/bin:/bin' });
    assert.equal(r.status, status, program);
    assert.match(r.stderr, message, program);
  }
});

test('without its interpreter the launcher fails each launch, and the agent lives on', async () => {
  const sandbox = tempDir('mezzo-launch-noperl-');
  mkdirSync(join(sandbox, '.mezzo'));
  const launcher = new Launcher(
    silentLogger(),
    () => Promise.resolve(undefined),
    1000,
    join(sandbox, 'no-perl-here'),
  );
  try {
    await assert.rejects(
      launcher.start({ ...base, sandbox, uid: undefined, gid: undefined, procs: [] }),
      (e: unknown) => e instanceof LaunchFailedError && /ENOENT/.test(e.message),
    );
  } finally {
    launcher.close();
  }
});

test('system calls by number on x86-64 and arm64; elsewhere none, and the launcher loads POSIX', () => {
  const cases: [string, number][] = [
    ['x64', 5],
    ['arm64', 5],
    ['riscv64', 0],
  ];
  for (const [arch, n] of cases) {
    const nrs = syscallNumbers(arch)
      .split(',')
      .filter((x) => x !== '');
    assert.equal(nrs.length, n, arch);
    for (const x of nrs) assert.match(x, /^\d+$/, arch);
  }
});

test('a task drops to its uid and gid alone, by system call number and through POSIX alike', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to change ids');
    return;
  }
  const show = ['/bin/sh', '-c', 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; echo $$'];
  for (const syscalls of [syscallNumbers(), '']) {
    const r = await launch(show, {}, { uid: 65534, gid: 65534 }, syscalls);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const field = (name: string): string =>
      (lines.find((l) => l.startsWith(`${name}:`)) ?? '').slice(name.length + 1).trim();
    // real, effective, saved and file-system ids; no group but its own
    assert.equal(field('Uid').split(/\s+/).join(' '), '65534 65534 65534 65534', syscalls);
    assert.equal(field('Gid').split(/\s+/).join(' '), '65534 65534 65534 65534', syscalls);
    assert.equal(field('Groups'), '65534', syscalls);
  }
});
