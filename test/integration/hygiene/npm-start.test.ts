// What a newcomer sees in `npm start` (`mezzo dev --demo`, logs as in a terminal): the
// tasks table shows no REASON_UNSPECIFIED, /state carries no reason where there is none,
// no log line says `=undefined`, an empty `agentId=` or a killed task's unspecified
// reason, and a clean stop (SIGTERM, as Ctrl-C) logs no warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testCgroupRoot } from '../../support/cleanup.js';
import { devPrerequisite, mezzoAt, spawnDev } from '../../support/dev-process.js';

interface State {
  tasks: { name: string; state: string; reason?: string }[];
}

// Pretty lines are coloured: `12:00:00.000 \x1b[33mwarn\x1b[39m [agent] ...`.
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

test('npm start: no unspecified reasons, no empty log fields, a quiet clean stop', async (t) => {
  if (!devPrerequisite(t)) return;
  const dev = await spawnDev({
    cgroupRoot: testCgroupRoot('npmstart'),
    demo: true,
    env: { MEZZO_LOG_FORMAT: 'pretty', MEZZO_LOG_LEVEL: 'info' },
  });
  const { server } = dev;
  const state = () =>
    dev
      .fetch('/state')
      .then((r) => r.json() as Promise<State>)
      .catch(() => undefined);
  const until = async (cond: (s: State) => boolean, what: string) => {
    for (const start = Date.now(); ;) {
      const s = await state();
      if (s && cond(s)) return s;
      assert.ok(Date.now() - start < 30_000, `${what}: ${dev.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stateOf = (s: State, name: string) => s.tasks.find((x) => x.name === name)?.state;
  try {
    const s = await until(
      (st) =>
        stateOf(st, 'hello') === 'TASK_FINISHED' &&
        stateOf(st, 'ticker') === 'TASK_RUNNING' &&
        stateOf(st, 'web') === 'TASK_RUNNING',
      'the demo running',
    );
    // A finished echo and two running tasks: none has a reason.
    assert.deepEqual(
      s.tasks.filter((x) => 'reason' in x),
      [],
    );
    const get = mezzoAt(server, 'get', 'tasks');
    assert.equal(get.status, 0, get.stderr);
    assert.match(get.stdout, /^ID\s+NAME\s+STATE\s+AGENT_ID\s+RESOURCES\s+REASON$/m);
    assert.doesNotMatch(get.stdout, /UNSPECIFIED/);

    const kill = mezzoAt(server, 'kill', 'ticker');
    assert.equal(kill.status, 0, kill.stderr);
    await until((st) => stateOf(st, 'ticker') === 'TASK_KILLED', 'ticker killed');
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));

  const lines = plain(dev.output).split('\n');
  // The agent's first start has no ID yet; it logs one once registered.
  const started = lines.find((l) => l.includes('[agent] agent started'));
  assert.ok(started && !started.includes('agentId'), started);
  assert.ok(
    lines.some((l) => /\[agent\] registered agentId=agent-\S+/.test(l)),
    'registered with an ID',
  );
  const killed = lines.find((l) => l.includes('task finished') && l.includes('TASK_KILLED'));
  assert.ok(killed && !killed.includes('reason='), killed);
  assert.deepEqual(
    lines.filter((l) => /=undefined\b|\bagentId=(\s|$)/.test(l)),
    [],
  );
  assert.deepEqual(
    lines.filter((l) => /^\S+ (warn|error) /.test(l)),
    [],
    'no warning or error in a demo run and its clean stop',
  );
  assert.ok(
    lines.some((l) => l.includes('stopping')),
    'the stop was logged',
  );
});
