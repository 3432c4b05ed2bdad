// The launch text the agent sends the task launcher (one line on its stdin): whatever bytes a framework puts
// in a command, its arguments or its environment reach the task as the same strings (the
// text is read and evaluated by a real /bin/sh here, as the launcher does), and what an execve cannot carry is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  launchFile,
  LaunchSpecError,
  NEWLINE_VARIABLE,
  type LaunchFileSpec,
} from '../../../src/agent-sidecar/launcher-script.js';

const base: LaunchFileSpec = {
  sandbox: "/tmp/sb with 'quotes'",
  key: 'k-0123456789',
  uid: 65534,
  gid: 65534,
  procs: ['/sys/fs/cgroup/memory/m/k/cgroup.procs'],
  leave: [],
  pidNamespace: false,
  env: {},
  argv: ['/bin/sh', '-c', 'true'],
};

/**
 * Runs the launch text as the launcher does (one line read with `read -r`, then `eval`)
 * with a `supervise` that prints its variables and arguments.
 */
function source(file: string): string[] {
  assert.ok(!file.includes('\n'), 'the launch text is one line');
  const stub = `supervise() { printf '%s\\0' "$sb" "$key" "$uid" "$gid" "$procs" "$ns" "$@"; }\n`;
  const r = spawnSync(
    '/bin/sh',
    ['-c', `${stub}${NEWLINE_VARIABLE}\nIFS= read -r text; eval "$text"`],
    {
      input: `${file}\n`,
    },
  );
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().split('\0').slice(0, -1);
}

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
];

test('every hostile string reaches the task unchanged, as an argument and in the environment', () => {
  for (const s of hostile) {
    const out = source(
      launchFile({ ...base, argv: ['/bin/echo', s, 'x'], env: { VALUE: s, 'odd.name': s } }),
    );
    assert.deepEqual(
      out,
      [
        base.sandbox,
        base.key,
        '65534',
        '65534',
        base.procs[0],
        '',
        `VALUE=${s}`,
        `odd.name=${s}`,
        '/bin/echo',
        s,
        'x',
      ],
      JSON.stringify(s),
    );
  }
});

test('root tasks have no uid; a pid namespace puts its init before the command', () => {
  const out = source(launchFile({ ...base, uid: undefined, gid: undefined, pidNamespace: true }));
  assert.equal(out[2], '');
  assert.equal(out[3], '');
  assert.equal(out[5], 'unshare --pid --fork --kill-child --mount-proc');
  assert.deepEqual(out.slice(6, 8), ['/bin/sh', '-c']);
  assert.deepEqual(out.slice(-4), ['mezzo-init', '/bin/sh', '-c', 'true']);
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
      () => launchFile({ ...base, ...c.spec }),
      (e: unknown) => {
        assert.ok(e instanceof LaunchSpecError);
        assert.match(e.message, c.refused ?? /./);
        return true;
      },
    );
  }
  const out = source(launchFile({ ...base, env: { 'A=B': 'x', '': 'y', OK: 'nul\0', FINE: '1' } }));
  assert.deepEqual(out.slice(6), ['FINE=1', '/bin/sh', '-c', 'true']);
});
