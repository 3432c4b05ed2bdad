// Chronos' run-now with arguments (`PUT /job/{name}?arguments=…`) on real runs: the
// arguments reach that run's task as separate, literal words (no shell expansion), the
// next runs (scheduled, or a plain run-now) run the plain command, a retry of the run
// keeps them across a restart of the schedules framework; asking for arguments takes
// `update` on the Schedule (plain run-now only `patch`), and hostile input is a 400 that
// changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_NOW_ARGUMENTS_ANNOTATION } from '../../../src/frameworks/schedules/run-arguments.js';
import { RUN_NOW_ANNOTATION } from '../../../src/frameworks/schedules/runs.js';
import {
  EDITOR,
  errorMessage,
  RUNNER,
  scheduled,
  startChronosServer,
  type Answer,
  type ChronosServer,
} from './chronos-support.js';
import { eventually } from '../schedules/support.js';

let server: ChronosServer;
before(async () => {
  server = await startChronosServer(true);
});
after(() => server.stop());

interface RunStatus {
  id: string;
  task: string;
  trigger: string;
  result?: string;
  arguments?: string[];
}
interface Status {
  history?: RunStatus[];
  pendingRetry?: { arguments?: string[] };
}

const objectOf = async (name: string) => server.store.get('Schedule', name, 'default');
const statusOf = async (name: string) => ((await objectOf(name))?.status ?? {}) as Status;
/** A job printing each of its arguments in brackets, one a line; retries 0 unless told. */
const printer = (name: string, extra: Record<string, unknown> = {}) =>
  scheduled(name, {
    command: `printf '[%s]\\n'`,
    retries: 0,
    concurrent: true,
    mem: 32,
    disk: 0,
    ...extra,
  });
const put = (name: string, args?: string, token?: string) =>
  server.call(
    'PUT',
    `/job/${name}${args === undefined ? '' : `?arguments=${encodeURIComponent(args)}`}`,
    undefined,
    token,
  );

/** The stdout of a finished run's task, read through the controller's /logs route. */
async function stdoutOf(run: RunStatus): Promise<string> {
  const a = await server.native('GET', `/logs?task=${encodeURIComponent(run.task)}&file=stdout`);
  assert.equal(a.status, 200, a.text);
  return (a.json as { data: string }).data;
}

/** Waits for the `n`th finished run (oldest first) and returns it. */
async function nthRun(name: string, n: number): Promise<RunStatus> {
  let runs: RunStatus[] = [];
  await eventually(
    async () => {
      runs = [...((await statusOf(name)).history ?? [])].reverse();
      return runs.length >= n;
    },
    30_000,
    `run ${n} of ${name} to end`,
  );
  const run = runs[n - 1];
  assert.ok(run);
  return run;
}

describe('run-now with arguments', () => {
  test('the run prints its arguments as literal words; the next runs print none', async () => {
    assert.equal((await server.call('POST', '/iso8601', printer('args-echo'))).status, 204);
    // Shell quoting groups words; $, ;, backquotes and globs stay literal text.
    const asked = `plain 'two words' "say \\"hi\\"" $HOME;id \`id\` * a\\ b ''`;
    assert.equal((await put('args-echo', asked)).status, 204);
    const first = await nthRun('args-echo', 1);
    assert.equal(first.trigger, 'manual');
    assert.equal(first.result, 'Succeeded');
    const words = ['plain', 'two words', 'say "hi"', '$HOME;id', '`id`', '*', 'a b', ''];
    assert.deepEqual(first.arguments, words);
    assert.equal(await stdoutOf(first), words.map((w) => `[${w}]\n`).join(''));

    // A plain run-now as `mezzo run-schedule` asks it (the native annotate route), while
    // the arguments annotation of the earlier request is still there: plain command.
    const ann = (await objectOf('args-echo'))?.metadata.annotations ?? {};
    assert.ok(ann[RUN_NOW_ARGUMENTS_ANNOTATION]);
    const annotate = await server.native(
      'POST',
      '/annotate?kind=Schedule&name=args-echo&namespace=default',
      { [RUN_NOW_ANNOTATION]: `${ann[RUN_NOW_ANNOTATION] ?? ''}-again` },
    );
    assert.equal(annotate.status, 200, annotate.text);
    const second = await nthRun('args-echo', 2);
    assert.equal(second.trigger, 'manual');
    assert.equal(second.arguments, undefined);
    assert.equal(await stdoutOf(second), '[]\n');

    // The next scheduled run: the schedule moved to start in two seconds.
    const soon = new Date(Date.now() + 2000).toISOString();
    const moved = await server.call(
      'POST',
      '/iso8601',
      printer('args-echo', { schedule: `R/${soon}/PT1H` }),
    );
    assert.equal(moved.status, 204, moved.text);
    const third = await nthRun('args-echo', 3);
    assert.equal(third.trigger, 'schedule');
    assert.equal(third.arguments, undefined);
    assert.equal(await stdoutOf(third), '[]\n');
  });

  test('a retry of the run keeps its arguments, across a framework restart', async () => {
    const marker = `${server.dir}/retry-once.marker`;
    // Fails its first attempt only; prints its arguments (the positional parameters).
    const job = printer('args-retry', {
      command: `sh -c 'printf "[%s]\\n" "$@"; test -e ${marker} || { touch ${marker}; exit 3; }' job`,
      retries: 1,
    });
    assert.equal((await server.call('POST', '/iso8601', job)).status, 204);
    const obj = await objectOf('args-retry');
    assert.ok(obj);
    await server.store.update({ ...obj, spec: { ...obj.spec, retryBackoff: 'PT3S' } });
    assert.equal((await put('args-retry', 'x "y z"')).status, 204);
    await eventually(
      async () => (await statusOf('args-retry')).pendingRetry !== undefined,
      30_000,
      'the first attempt to fail',
    );
    // What a new instance reads back: the retry and its arguments are in status.
    assert.deepEqual((await statusOf('args-retry')).pendingRetry?.arguments, ['x', 'y z']);
    await server.restartFramework();
    const retried = await nthRun('args-retry', 2);
    assert.equal(retried.trigger, 'retry');
    assert.equal(retried.result, 'Succeeded');
    assert.deepEqual(retried.arguments, ['x', 'y z']);
    assert.equal(await stdoutOf(retried), '[x]\n[y z]\n');
  });
});

describe('authorization and hostile input', () => {
  before(async () => {
    assert.equal((await server.call('POST', '/iso8601', printer('args-guard'))).status, 204);
  });
  const annotations = async () => (await objectOf('args-guard'))?.metadata.annotations ?? {};

  const rows: [string, () => Promise<Answer>, number, RegExp?][] = [
    ['patch only, with arguments', () => put('args-guard', '-v', RUNNER), 403, /update.*schedules/],
    ['patch only, plain run-now', () => put('args-guard', undefined, RUNNER), 204],
    ['patch only, blank arguments (none)', () => put('args-guard', '   ', RUNNER), 204],
    ['update, with arguments', () => put('args-guard', '-v', EDITOR), 204],
    [
      'patch only, native annotate with arguments',
      () =>
        server.native(
          'POST',
          '/annotate?kind=Schedule&name=args-guard&namespace=default',
          { [RUN_NOW_ARGUMENTS_ANNOTATION]: '{"runNow":"x","arguments":["-v"]}' },
          RUNNER,
        ),
      403,
      /update.*schedules/,
    ],
    ['NUL', () => put('args-guard', 'a\u0000b'), 400, /control character U\+0000/],
    ['newline', () => put('args-guard', 'a\nrm -rf /'), 400, /control character U\+000A/],
    ['tab', () => put('args-guard', 'a\tb'), 400, /control character U\+0009/],
    ['escape', () => put('args-guard', '\u001b[2J'), 400, /control character U\+001B/],
    ['C1 control', () => put('args-guard', 'a\u0085'), 400, /control character U\+0085/],
    ['unclosed quote', () => put('args-guard', `a 'b`), 400, /unclosed '/],
    ['lone backslash', () => put('args-guard', 'a\\'), 400, /lone \\/],
    ['too long', () => put('args-guard', 'a'.repeat(4097)), 400, /arguments/],
    ['too many words', () => put('args-guard', 'a '.repeat(257)), 400, /at most 256/],
    [
      'arguments twice',
      () => server.call('PUT', '/job/args-guard?arguments=a&arguments=b'),
      400,
      /arguments/,
    ],
    ['unknown job', () => put('args-nothing', '-v'), 404, /not found/],
  ];
  for (const [what, send, status, message] of rows) {
    test(what, async () => {
      const prior = await annotations();
      const a = await send();
      assert.equal(a.status, status, a.text);
      if (status === 204) {
        assert.notEqual((await annotations())[RUN_NOW_ANNOTATION], prior[RUN_NOW_ANNOTATION]);
        return;
      }
      if (message) assert.match(errorMessage(a), message);
      // Refused: nothing changed.
      assert.deepEqual(await annotations(), prior);
    });
  }
});
