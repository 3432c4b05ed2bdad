#!/usr/bin/env node
// The one test command: `npm test` (= node scripts/test.mjs all) runs every level in order
// and stops at the first that fails:
//   static       proto types current, formatting, lint (type-aware), build (tsc strict),
//                CRDs and their reference current
//   unit         dist/test/unit/**/*.test.js
//   integration  dist/test/integration/**/*.test.js (real gRPC, processes, cgroups)
//   e2e          dist/test/e2e/**/*.test.js against a real kube-apiserver + etcd
//   browser      dist/test/browser/**/*.test.js: the dashboard in real Chromium
// A level that cannot run for lack of a tool fails under CI=true and is skipped loudly
// (with the command that installs the tool) elsewhere. MEZZO_REQUIRE_ALL=1 is exported
// in CI so that tests apply the same rule to their own prerequisites.
//
// Tests leave nothing behind: each run gets an ID (MEZZO_TEST_RUN, inherited by every
// child) and each test level a temp dir of its own (TMPDIR); tests name their cgroups
// after the run (test/support/test-run.ts). At the end of every test level the runner
// looks for the run's processes, cgroups and temp entries (test/support/leaks.ts), fails
// the level naming each one it finds, and removes them.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (ci) process.env.MEZZO_REQUIRE_ALL = '1';
const levels = ['static', 'unit', 'integration', 'e2e', 'browser'];
const requested = process.argv[2] ?? 'all';
const only = process.argv.slice(3);
const run = requested === 'all' ? levels : [requested];
for (const level of run) {
  if (!levels.includes(level)) {
    console.error(`unknown level "${level}"; one of: all ${levels.join(' ')}`);
    process.exit(2);
  }
}

const runId = randomUUID();
const runTmp = join(tmpdir(), `mezzo-test-${runId}`);
process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));
// Ctrl-C reaches the test processes too; the runner outlives them to clean up after them.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

const bin = (name) => join(root, 'node_modules/.bin', name);

// A hung step must fail the run, not eat CI's whole budget: each test file gets
// FILE_LIMIT_MS (node --test-timeout, which in Node 20 bounds a file as a whole as well as
// each test: a file whose process a forgotten handle keeps alive after its tests is killed
// then, and the leak check below names what it left), and a step as a whole is killed
// after STEP_LIMIT_MS. Not --test-force-exit: it would skip the files' own clean-up, which
// runs when their event loop drains (test/support/cleanup.ts).
const FILE_LIMIT_MS = 15 * 60_000;
const STEP_LIMIT_MS = 45 * 60_000;

function step(title, cmd, args, opts = {}) {
  console.log(`\n=== ${title}: ${[cmd, ...args].map((a) => relative(root, a) || a).join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    cwd: root,
    timeout: STEP_LIMIT_MS,
    killSignal: 'SIGKILL',
    ...opts,
  });
  if (interrupted) throw new StepFailed(`${title} interrupted`);
  if (r.error?.code === 'ETIMEDOUT') {
    throw new StepFailed(`${title} ran past its ${STEP_LIMIT_MS / 60_000} minutes and was killed`);
  }
  if (r.status !== 0) {
    throw new StepFailed(`${title} failed (exit ${r.status ?? r.signal})`);
  }
}

class StepFailed extends Error {}

function skipOrFail(level, why, install) {
  const msg = `${level} level cannot run: ${why}\n    install with: ${install}`;
  if (ci) {
    console.error(`\n*** ${msg}\n*** CI requires every level; failing.`);
    process.exit(1);
  }
  console.error(`\n!!! SKIPPING ${msg}\n!!! (CI=true turns this skip into a failure)`);
}

/** dist/test/x/y.test.js → test/x/y.test.ts */
function sourceOf(compiled) {
  return join(root, compiled.slice(join(root, 'dist').length + 1).replace(/\.js$/, '.ts'));
}

function testFiles(level) {
  const dir = join(root, 'dist/test', level);
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      // Only tests whose source still exists: tsc never deletes what a removed or moved
      // test once compiled to, and a stale copy must not run (or pass) in its place.
      else if (name.endsWith('.test.js') && existsSync(sourceOf(p))) out.push(p);
    }
  };
  walk(dir);
  // Filters match the path under dist/test/<level>, not the checkout's own path.
  return out
    .sort()
    .filter((f) => only.length === 0 || only.some((o) => relative(dir, f).includes(o)));
}

function nodeTests(level, files, extraEnv = {}) {
  if (files.length === 0) {
    console.error(`\n*** ${level}: no test files found under dist/test/${level}`);
    process.exit(1);
  }
  const concurrency = level === 'unit' ? '2' : '1';
  step(
    `${level} tests (${files.length} files)`,
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      `--test-concurrency=${concurrency}`,
      `--test-timeout=${FILE_LIMIT_MS}`,
      '--test-reporter=spec',
      ...files,
    ],
    { env: { ...process.env, ...extraEnv } },
  );
}

async function e2e() {
  const files = testFiles('e2e');
  const go = spawnSync('go', ['version']);
  if (go.status !== 0) {
    skipOrFail(
      'e2e',
      'Go is needed to build kube-apiserver, kubectl and helm',
      'apt-get install -y golang-go',
    );
    return;
  }
  if (spawnSync('bash', ['-c', 'command -v etcd']).status !== 0 && process.getuid?.() !== 0) {
    skipOrFail(
      'e2e',
      'etcd is missing and installing it needs root',
      'sudo apt-get install -y etcd-server',
    );
    return;
  }
  const dir = join(root, '.tmp/e2e-control-plane');
  // A fresh control plane every run: state left by an interrupted run must not leak in.
  spawnSync('bash', [join(root, 'test/e2e/control-plane.sh'), 'down', dir], { stdio: 'inherit' });
  step('control plane up', 'bash', [join(root, 'test/e2e/control-plane.sh'), 'up', dir]);
  try {
    nodeTests('e2e', files, { MEZZO_E2E_DIR: dir });
  } finally {
    spawnSync('bash', [join(root, 'test/e2e/control-plane.sh'), 'down', dir], { stdio: 'inherit' });
  }
}

function browser() {
  if (spawnSync('bash', ['-c', 'command -v chromium']).status !== 0) {
    skipOrFail('browser', "Debian's Chromium is missing", 'apt-get install -y chromium');
    return;
  }
  nodeTests('browser', testFiles('browser'));
}

/**
 * Runs one test level under the run's marks, then fails it if anything of the run is left
 * (after removing what is).
 */
async function withLeakCheck(level, body) {
  const leaks = await import(pathToFileURL(join(root, 'dist/test/support/leaks.js')).href);
  const marks = leaks.runMarks(runId, join(runTmp, level));
  // Every step of the level inherits the marks (the e2e control plane too).
  Object.assign(process.env, leaks.runEnv(marks));
  let failed;
  try {
    await body();
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    failed = err;
  }
  const left = await leaks.findLeftovers(marks);
  const lines = leaks.describeLeftovers(left);
  if (lines.length > 0) {
    console.error(`\n*** ${level}: the tests left ${lines.length} thing(s) behind:`);
    for (const line of lines) console.error(`    ${line}`);
    const still = leaks.describeLeftovers(await leaks.removeLeftovers(marks));
    if (still.length === 0) console.error(`*** removed them all`);
    else for (const line of still) console.error(`*** could not remove: ${line}`);
  }
  rmSync(marks.tmpDir, { recursive: true, force: true });
  if (failed) throw failed;
  if (lines.length > 0) throw new StepFailed(`${level} left ${lines.length} thing(s) behind`);
  if (interrupted) throw new StepFailed('interrupted');
}

const started = Date.now();
try {
  await runLevels();
} catch (err) {
  if (!(err instanceof StepFailed)) throw err;
  console.error(`\n*** ${err.message}`);
  process.exit(interrupted ? 130 : 1);
}
console.log(
  `\nall requested levels passed (${run.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

async function runLevels() {
  for (const level of run) {
    if (level === 'static') {
      step('proto types current', process.execPath, [
        join(root, 'scripts/gen-proto.mjs'),
        '--check',
      ]);
      step('format', bin('prettier'), ['--check', '.', '--log-level', 'warn']);
      step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
      step('build', bin('tsc'), ['-p', 'tsconfig.json']);
      step('build dashboard', bin('tsc'), ['-p', 'src/webui/tsconfig.json']);
      step('CRDs current', process.execPath, [join(root, 'scripts/gen-crds.mjs'), '--check']);
      continue;
    }
    if (!run.includes('static')) {
      step('build', bin('tsc'), ['-p', 'tsconfig.json']);
      step('build dashboard', bin('tsc'), ['-p', 'src/webui/tsconfig.json']);
    }
    await withLeakCheck(level, async () => {
      if (level === 'e2e') await e2e();
      else if (level === 'browser') browser();
      else nodeTests(level, testFiles(level));
    });
  }
}
