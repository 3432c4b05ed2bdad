// Arguments for one run: how they join a command (argv elements, or single-quoted shell
// words that sh reads back verbatim), how the annotation binds them to one run-now value,
// and that a run's arguments survive the status round trip a new framework instance makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  readRunNowArguments,
  RUN_NOW_ARGUMENTS_ANNOTATION,
  runNowArgumentsValue,
  withArguments,
} from '../../../src/frameworks/schedules/run-arguments.js';
import {
  finishRun,
  initialState,
  plan,
  type ScheduleState,
} from '../../../src/frameworks/schedules/planner.js';
import { fallbackConfig } from '../../../src/frameworks/schedules/spec.js';
import { fromStatus, toStatus } from '../../../src/frameworks/schedules/status.js';

const HOSTILE = [`it's`, '$(id)', '`id`', '; rm -rf /', '"', '\\', '', '*', 'a b'];

test('shell words reach the program verbatim (real /bin/sh)', () => {
  const command = withArguments(`printf '[%s]\\n'`, HOSTILE);
  assert.equal(typeof command, 'string');
  const out = execFileSync('/bin/sh', ['-c', command as string], { encoding: 'utf8' });
  assert.equal(out, HOSTILE.map((w) => `[${w}]\n`).join(''));
});

test('an argv gets the words as elements; no words leave a command as it is', () => {
  assert.deepEqual(withArguments(['/bin/echo', 'x'], ['a b', '$y']), [
    '/bin/echo',
    'x',
    'a b',
    '$y',
  ]);
  assert.equal(withArguments('echo', []), 'echo');
});

const ann = (value: string) => ({ [RUN_NOW_ARGUMENTS_ANNOTATION]: value });
const reads: [string, Record<string, string> | undefined, unknown][] = [
  ['no annotation', undefined, { ok: true }],
  ['bound to this value', ann(runNowArgumentsValue('v2', ['-v'])), { ok: true, arguments: ['-v'] }],
  ['bound to another value: plain run', ann(runNowArgumentsValue('v1', ['-v'])), { ok: true }],
  ['not JSON', ann('{'), { ok: false, message: `${RUN_NOW_ARGUMENTS_ANNOTATION} is not JSON` }],
  ['wrong shape', ann('["-v"]'), /must be \{"runNow"/],
  ['a word not a string', ann('{"runNow":"v2","arguments":[1]}'), /argument 1 is not a string/],
  ['a control character', ann(runNowArgumentsValue('v2', ['a\u0000'])), /U\+0000/],
  ['too many', ann(runNowArgumentsValue('v2', Array<string>(257).fill('a'))), /at most 256/],
  ['too long together', ann(runNowArgumentsValue('v2', ['a'.repeat(4097)])), /4097 characters/],
];
for (const [what, annotations, expected] of reads) {
  test(`run-now arguments annotation: ${what}`, () => {
    const read = readRunNowArguments(annotations, 'v2');
    if (expected instanceof RegExp) {
      assert.ok(!read.ok);
      assert.match(read.message, expected);
    } else assert.deepEqual(read, expected);
  });
}

test('a manual run and its retry carry the arguments, through status; the next run does not', () => {
  const cfg = { ...fallbackConfig('job'), disabled: false, retries: 1, retryBackoffMs: 1000 };
  const ctx = { lastSuccessOf: () => undefined };
  const asked: ScheduleState = {
    ...initialState(),
    manualRequest: 1000,
    manualArguments: ['x', 'y z'],
  };
  // Status written before the launch, read back by a new instance.
  const phases = new Map<string, 'Launching' | 'Launched'>();
  const reread = (s: ScheduleState) =>
    fromStatus(toStatus('ns', { state: s, phases }, [], 1)).state;
  assert.deepEqual(reread(asked).manualArguments, ['x', 'y z']);
  const first = plan(cfg, reread(asked), 1000, ctx);
  const run = first.state.running[0];
  assert.ok(run);
  assert.deepEqual(run.arguments, ['x', 'y z']);
  assert.equal(first.state.manualArguments, undefined);
  const failed = finishRun(cfg, reread(first.state), run.id, 'Failed', 2000);
  assert.deepEqual(reread(failed.state).pendingRetry?.arguments, ['x', 'y z']);
  const retried = plan(cfg, reread(failed.state), 3000, ctx);
  assert.deepEqual(retried.state.running[0]?.arguments, ['x', 'y z']);
  assert.deepEqual(reread(retried.state).running[0]?.arguments, ['x', 'y z']);
  const again = plan(cfg, { ...reread(retried.state), manualRequest: 4000 }, 4000, ctx);
  assert.equal(again.state.running.at(-1)?.trigger, 'manual');
  assert.equal(again.state.running.at(-1)?.arguments, undefined);
});
