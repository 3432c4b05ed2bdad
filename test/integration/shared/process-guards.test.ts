// installProcessGuards in a real child process: a promise rejection nobody handles is
// logged with its stack and counted, and the process goes on (Node 20 alone exits 1);
// an uncaught exception is logged with its stack and counted, and the process exits 1
// (its in-memory state may be half-updated; see process-guards.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const guards = new URL('../../../src/shared/process-guards.js', import.meta.url).href;
const logger = new URL('../../../src/shared/logger.js', import.meta.url).href;
const metrics = new URL('../../../src/shared/metrics.js', import.meta.url).href;

/** Runs `body` in a fresh Node process with the guards installed (JSON logs on stdout). */
function run(body: string): { status: number | null; stdout: string } {
  const script = `
    import { installProcessGuards } from '${guards}';
    import { createLogger } from '${logger}';
    import { MetricsRegistry } from '${metrics}';
    const metrics = new MetricsRegistry();
    installProcessGuards({ logger: createLogger({ format: 'json' }), metrics, component: 'test' });
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

test('an unhandled rejection is logged and counted, and the process carries on', () => {
  const r = run(`
    void Promise.reject(new Error('nobody awaited me'));
    setTimeout(async () => {
      process.stdout.write(await metrics.exposition());
      process.stdout.write('carried on\\n');
    }, 10);
  `);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /"where":"unhandled-rejection"/);
  assert.match(r.stdout, /Error: nobody awaited me\\n\s+at /);
  assert.match(
    r.stdout,
    /mezzo_internal_errors_total\{component="test",where="unhandled-rejection"\} 1/,
  );
  assert.match(r.stdout, /^carried on$/m);
});

test('an uncaught exception is logged and counted, and the process exits 1', () => {
  const r = run(`setTimeout(() => { throw new RangeError('broken invariant'); }, 0);`);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /"where":"uncaught-exception"/);
  assert.match(r.stdout, /RangeError: broken invariant\\n\s+at /);
  assert.match(r.stdout, /exiting after an uncaught exception/);
});
