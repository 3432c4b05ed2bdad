// `mezzo dev --demo` as a real process: offers are made and demo tasks run within
// seconds; `mezzo get` and `mezzo apply` work against it; SIGTERM stops it cleanly.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { spawnSync } from 'node:child_process';
import { devPrerequisite, MEZZO_BIN as bin, spawnDev } from '../../support/dev-process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const cgroupRoot = testCgroupRoot('devcli');

// Tasks outlive `mezzo dev` by design: kill what this test started and remove its cgroups.
after(() => cleanCgroupTrees(cgroupRoot));

interface State {
  tasks: { name: string; state: string }[];
  agents: unknown[];
  frameworks: { name: string; connected: boolean }[];
}

test('mezzo dev --demo runs the demo workload', async (t) => {
  if (!devPrerequisite(t)) return;
  const workDir = tempDir('mezzo-dev-');
  const dev = await spawnDev({ cgroupRoot, workDir, demo: true });
  const { server, port, grpcPort: grpc } = dev;
  try {
    const start = Date.now();
    let state: State | undefined;
    for (;;) {
      assert.ok(Date.now() - start < 20_000, `demo did not come up: ${dev.output.slice(-2000)}`);
      state = await dev
        .fetch('/state')
        .then((r) => r.json() as Promise<State>)
        .catch(() => undefined);
      const byName = new Map(state?.tasks.map((x) => [x.name, x.state]));
      if (
        byName.get('hello') === 'TASK_FINISHED' &&
        byName.get('ticker') === 'TASK_RUNNING' &&
        byName.get('web') === 'TASK_RUNNING'
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(
      dev.output,
      new RegExp(`HTTP \\(state, metrics, health\\): http://127.0.0.1:${port}/`),
    );
    assert.match(dev.output, /agent runs tasks in real cgroups/);
    const metrics = await (await dev.fetch('/metrics')).text();
    const made = /mezzo_controller_offers_total\{result="made"\} (\d+)/.exec(metrics);
    assert.ok(made && Number(made[1]) >= 1, 'offers were made');

    const get = spawnSync(process.execPath, [bin, 'get', 'tasks', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(get.status, 0, get.stderr);
    assert.match(get.stdout, /^ID\s+NAME\s+STATE/m);
    assert.match(get.stdout, /ticker\s+TASK_RUNNING/);

    // Sandbox output through the controller and the agent's stream.
    const logs = spawnSync(process.execPath, [bin, 'logs', 'hello', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(logs.status, 0, logs.stderr);
    assert.match(logs.stdout, /^hello from Mezzo on .*, task default\.hello\./m);
    const kill = spawnSync(process.execPath, [bin, 'kill', 'ticker', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(kill.status, 0, kill.stderr);
    assert.match(kill.stdout, /^killing default\.ticker\./);
    const killedBy = Date.now();
    for (;;) {
      const st = (await (await dev.fetch('/state')).json()) as State;
      if (st.tasks.find((x) => x.name === 'ticker')?.state === 'TASK_KILLED') break;
      assert.ok(Date.now() - killedBy < 10_000, 'ticker killed');
      await new Promise((r) => setTimeout(r, 100));
    }
    const tail = spawnSync(process.execPath, [bin, 'logs', 'ticker', '-f', '--server', server], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(tail.status, 0, tail.stderr);
    assert.match(tail.stdout, /^tick 1$/m);
    const unknown = spawnSync(process.execPath, [bin, 'logs', 'nope', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no task "nope"/);

    // mezzo run: a throwaway framework runs one command, streams it, mirrors its exit code.
    const run = spawnSync(
      process.execPath,
      [
        bin,
        'run',
        '--cpus',
        '0.1',
        '--mem',
        '32',
        '--grpc',
        `127.0.0.1:${grpc}`,
        '--server',
        server,
        '--',
        'sh',
        '-c',
        'echo ran-here; sleep 1; exit 3',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stdout, /^ran-here$/m);
    assert.match(run.stderr, /TASK_RUNNING/);
    assert.match(run.stderr, /TASK_FAILED/);

    // Stored kinds print their CRD's columns; -o json is the objects themselves.
    const roles = spawnSync(process.execPath, [bin, 'get', 'roles', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(roles.status, 0, roles.stderr);
    assert.match(roles.stdout, /^NAME\s+WEIGHT\s+SHARE/m);
    const fws = spawnSync(
      process.execPath,
      [bin, 'get', 'frameworks', '-o', 'json', '--server', server],
      { encoding: 'utf8' },
    );
    assert.equal(fws.status, 0, fws.stderr);
    const names = (JSON.parse(fws.stdout) as { name: string }[]).map((f) => f.name).sort();
    assert.deepEqual(
      names.filter((n) => ['apps', 'default', 'schedules'].includes(n)),
      ['apps', 'default', 'schedules'],
    );
    const bogus = spawnSync(process.execPath, [bin, 'get', 'bogus', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(bogus.status, 1);
    assert.match(bogus.stderr, /unknown kind "bogus": one of tasks, frameworks/);
    const del = spawnSync(process.execPath, [bin, 'delete', 'task', 'hello', '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(del.status, 0, del.stderr);
    assert.match(del.stdout, /^task\/hello deleted$/m);
    const again = spawnSync(
      process.execPath,
      [bin, 'delete', 'task', 'never-was', '--server', server],
      { encoding: 'utf8' },
    );
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Task\/never-was not found/);

    const bad = join(workDir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: mezzo.dev/v1alpha1\nkind: Task\nmetadata: {name: nocmd}\nspec: {resources: {cpus: 1, mem: 64}}\n',
    );
    const apply = spawnSync(process.execPath, [bin, 'apply', '-f', bad, '--server', server], {
      encoding: 'utf8',
    });
    assert.equal(apply.status, 1);
    assert.match(
      apply.stderr,
      /Task\/nocmd rejected: spec: Invalid value: "object": set exactly one of command/,
    );
    // The embedded store persisted what it accepted (its log holds the create).
    const saved = readFileSync(join(workDir, 'state.json.log'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { object?: { metadata: { name: string } } });
    assert.ok(saved.some((r) => r.object?.metadata.name === 'ticker'));
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));
});

test('mezzo get without a running controller says how to start one', () => {
  const r = spawnSync(process.execPath, [bin, 'get', 'tasks', '--server', 'http://127.0.0.1:9'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot reach Mezzo at http:\/\/127.0.0.1:9 \(is `mezzo dev` running/);
});
