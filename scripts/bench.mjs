#!/usr/bin/env node
// Runs the benchmarks in bench/ (never part of `npm test`): builds, then runs every
// dist/bench/<suite>/*.js, or only the suites named: `npm run bench -- allocator --quick`.
// Each benchmark prints JSON on stdout; arguments after the suite names are passed on.
// Only a suite's top-level files are benchmarks: its subfolders hold their helpers (the
// soak's harness, its batch framework). `npm run bench -- soak --short`: the soak's
// bounded run (the one `npm test` asserts), `--faults=none` a fault-free baseline.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const suites = args.filter((a) => !a.startsWith('-'));
const passOn = args.filter((a) => a.startsWith('-'));

const build = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const benchDir = join(root, 'dist/bench');
const all = existsSync(benchDir) ? readdirSync(benchDir).sort() : [];
const chosen = suites.length > 0 ? suites : all;
let failed = false;
for (const suite of chosen) {
  const dir = join(benchDir, suite);
  if (!existsSync(dir)) {
    console.error(`no benchmark suite "${suite}" (have: ${all.join(', ')})`);
    process.exit(2);
  }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    console.error(`# bench ${suite}/${file}`);
    const r = spawnSync(process.execPath, ['--expose-gc', join(dir, file), ...passOn], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
