// mesos-go (github.com/mesos/mesos-go v0.0.11 from the Go module proxy, unmodified), the
// Go library of Mesos' v1 HTTP scheduler API, drives a small framework
// (mesos-go-client/main.go, built by scripts/mesos-go-client.sh) against a real
// controller and agent, LAUNCH and LAUNCH_GROUP among its calls, once in
// application/x-protobuf (the library's default codec) and once in application/json:
// each step it prints is checked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { until } from '../controller/support.js';
import { jsonLines, startCluster } from './support.js';
import { prerequisite } from '../../support/prereq.js';
import { TEST_TOKEN, testAccess } from '../../support/auth.js';
import { startStandbyHttp } from '../../../src/controller/http/standby.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';

interface Step {
  step: string;
  [field: string]: unknown;
}

function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The client's binary: built on first use, then taken from the cache. */
function clientBinary(): string {
  return execFileSync('bash', ['scripts/mesos-go-client.sh', 'print-path'], {
    encoding: 'utf8',
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Runs the client to its end; its steps and exit code. */
async function runClient(
  binary: string,
  endpoint: string,
  standby: string,
  codec: string,
  taskPrefix: string,
): Promise<{ code: number | null; steps: Step[]; stderr: string }> {
  const child = spawn(
    binary,
    [
      ...['-endpoint', endpoint, '-standby', standby],
      ...['-codec', codec, '-task', taskPrefix, '-wait', '60s'],
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // mesos-go sends HTTP Basic credentials; the secret is the token.
      env: { ...process.env, MESOS_SECRET: TEST_TOKEN },
    },
  );
  const run = await jsonLines<Step>(child, 240_000);
  return { code: run.code, steps: run.lines, stderr: run.stderr };
}

for (const codec of ['protobuf', 'json'] as const) {
  test(`mesos-go runs a framework's whole life over ${codec}`, async (t) => {
    if (!prerequisite(t, goAvailable(), 'go', 'apt-get install golang-go')) return;
    const binary = clientBinary();
    // Disk too: the task group's executor declares some, as Mesos requires of it.
    const cluster = await startCluster(`mesos-go-${codec}`, 'cpus:1;mem:256;disk:64');
    t.after(() => cluster.stop());
    const controller = cluster.controller;
    // A standby that knows the leader: mesos-go must follow its 307 there.
    const standby = await startStandbyHttp(
      { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'controller' },
      testAccess,
      '127.0.0.1',
      0,
      () => `127.0.0.1:${String(controller.httpPort)}`,
    );
    t.after(() => new Promise<void>((r) => standby.server.close(() => r())));

    const { code, steps, stderr } = await runClient(
      binary,
      `${cluster.http}/api/v1/scheduler`,
      `http://127.0.0.1:${String(standby.port)}/api/v1/scheduler`,
      codec,
      `go-${codec}`,
    );
    const seen = () => `${JSON.stringify(steps, null, 1)}\n${stderr.slice(-3000)}`;
    assert.equal(code, 0, seen());
    const all = (name: string) => steps.filter((s) => s.step === name);
    const one = (name: string) => {
      const s = all(name)[0];
      assert.ok(s, `no ${name} step: ${seen()}`);
      return s;
    };

    // SUBSCRIBE to the standby: redirected, subscribed at the leader, gone once closed
    // (its failover timeout is 0).
    const redirected = one('redirected');
    assert.equal(redirected.master_port, controller.httpPort);
    const redirectedId = redirected.framework_id;
    assert.ok(typeof redirectedId === 'string' && redirectedId !== '', seen());
    await until(() => !controller.core.frameworks.has(redirectedId), 10_000, 'its removal');

    // SUBSCRIBE: a framework ID, the heartbeat interval and this master's port.
    const [first, ...failovers] = all('subscribed');
    assert.ok(first, seen());
    assert.equal(first.failover, false);
    assert.ok(typeof first.framework_id === 'string' && first.framework_id !== '');
    assert.ok(Number(first.heartbeat_interval) > 0, seen());
    assert.equal(first.master_port, controller.httpPort);
    assert.equal(first.master_version, '1.11.0');
    // Two failovers (one after each refusal) with the framework ID keep the framework.
    assert.equal(failovers.length, 2, seen());
    for (const f of failovers) {
      assert.equal(f.failover, true);
      assert.equal(f.framework_id, first.framework_id);
    }

    // Offers in Mesos' shapes, read by the library's resource helpers.
    const offer = one('offer');
    assert.equal(offer.hostname, `mesos-go-${codec}`);
    assert.ok(Number(offer.cpus) >= 0.1 && Number(offer.mem) >= 32, seen());

    // The shell task saw its environment and finished; each update carried a UUID and
    // was acknowledged.
    const updates = all('update').filter((s) => s.task === `go-${codec}-1`);
    // Delivery is at least once (an agent resends an update not yet acknowledged): the
    // states in order, repeats aside.
    const states = updates.map((s) => s.state).filter((st, i, a) => st !== a[i - 1]);
    assert.deepEqual(
      states.filter((st) => st !== 'TASK_STARTING'),
      ['TASK_RUNNING', 'TASK_FINISHED'],
      seen(),
    );
    assert.ok(states.indexOf('TASK_STARTING') <= 0, seen());
    for (const u of updates) {
      assert.match(String(u.uuid), /^[0-9a-f]{32}$/, seen());
      assert.equal(u.acked, true, seen());
      assert.equal(u.agent_id, offer.agent_id);
      assert.ok(Number(u.timestamp) > 0, seen());
    }

    // LAUNCH_GROUP of two tasks under a DEFAULT executor: both ran on the offer's agent
    // and finished, every update of theirs acknowledged.
    const group = one('launched-group');
    assert.deepEqual(group.tasks, [`go-${codec}-g1`, `go-${codec}-g2`], seen());
    for (const id of [`go-${codec}-g1`, `go-${codec}-g2`]) {
      const mine = all('group-update').filter((s) => s.task === id);
      const groupStates = mine.map((s) => s.state).filter((st, i, a) => st !== a[i - 1]);
      assert.deepEqual(
        groupStates.filter((st) => st !== 'TASK_STARTING'),
        ['TASK_RUNNING', 'TASK_FINISHED'],
        `${id}: ${seen()}`,
      );
      for (const u of mine) {
        assert.equal(u.acked, true, seen());
        assert.match(String(u.uuid), /^[0-9a-f]{32}$/, seen());
        assert.equal(controller.core.tasks.get(id)?.agentId, u.agent_id, seen());
      }
    }

    // Explicit reconciliation: the finished task's state, with no UUID (nothing to ack).
    const explicit = one('reconcile-explicit');
    assert.equal(explicit.task, `go-${codec}-1`);
    assert.equal(explicit.state, 'TASK_FINISHED');
    assert.equal(explicit.reason, 'REASON_RECONCILIATION');
    assert.equal(explicit.uuid, '');

    // Implicit reconciliation finds the running task; so does an explicit one without
    // an agent ID after a failover.
    const implicit = one('reconcile-implicit');
    assert.equal(implicit.task, `go-${codec}-2`);
    assert.equal(implicit.state, 'TASK_RUNNING');
    assert.equal(implicit.reason, 'REASON_RECONCILIATION');
    const afterFailover = one('reconcile-after-failover');
    assert.equal(afterFailover.task, `go-${codec}-2`);
    assert.equal(afterFailover.state, 'TASK_RUNNING');
    assert.equal(afterFailover.reason, 'REASON_RECONCILIATION');

    // What Mezzo has not: 400 with the reason, through the library's error mapping
    // ("malformed request" is its name for a 400).
    assert.match(
      String(one('refused-message').error),
      /^malformed request: Mezzo runs command tasks: there is no executor to message/,
    );
    assert.match(
      String(one('refused-create').error),
      /^malformed request: operation 0: CREATE is not supported by Mezzo/,
    );

    // KILL ends it TASK_KILLED.
    assert.equal(all('killed').at(-1)?.state, 'TASK_KILLED', seen());

    // DECLINE with a filter of an hour: the allocator holds that agent back from it.
    const declined = one('declined');
    assert.ok(typeof declined.offer_id === 'string');

    // TEARDOWN: the framework is gone and the library saw its stream end.
    assert.equal(one('teardown').framework_id, first.framework_id);
    one('stream-ended');
    const fwId = first.framework_id;
    await until(() => !controller.core.frameworks.has(fwId), 10_000, 'the teardown');
    // Both tasks ended as the framework was told.
    const ended = [...controller.core.tasks.values()]
      .filter((task) => task.frameworkId === fwId)
      .map((task) => `${task.id} ${task.state}`)
      .sort();
    assert.deepEqual(ended, [
      `go-${codec}-1 TASK_FINISHED`,
      `go-${codec}-2 TASK_KILLED`,
      `go-${codec}-g1 TASK_FINISHED`,
      `go-${codec}-g2 TASK_FINISHED`,
    ]);
  });
}
