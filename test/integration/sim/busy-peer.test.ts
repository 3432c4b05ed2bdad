// An event loop that stops for longer than gRPC's 5 s keepalive timeout, but not for the
// agent-liveness timeouts, drops no agent. At 25,000 simulated agents on 2 loaded cores
// the controller and the simulated agents' process each stalled for seconds; the HTTP/2
// keepalive (ping every 10 s, 5 s timeout, on both ends) then dropped whole connections
// of 1,000 agents, and their re-registrations made the next stall. A stall is made here
// with SIGSTOP on a real process: first the agents' process, then the controller's, with
// agents and then with a framework (the SDK's channel had the same 5 s keepalive timeout).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentLink } from '../../../src/controller/agent-link.js';
import { startSimAgents } from '../../../src/sim/index.js';
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { MEZZO_BIN } from '../../support/dev-process.js';
import { tempDir } from '../../support/cleanup.js';
import { authHeader, TEST_TOKEN } from '../../support/auth.js';
import { freePort } from '../../support/net.js';
import { startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Longer than gRPC's keepalive interval plus its timeout (10 s + 5 s) at the old values. */
const STALL_MS = 17_000;
/** Agents ping every 10 s: three silent intervals (the agent's own limit) exceed the stall. */
const PING_INTERVAL_MS = 10_000;
const AGENTS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `args` under node, kills it at cleanup, resolves once `ready` matches its stdout. */
async function child(args: string[], ready: RegExp): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEZZO_TOKEN: TEST_TOKEN },
  });
  cleanup.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => ready.test(out), 60_000, `${args.join(' ')} ready (${out})`);
  return proc;
}

async function stall(proc: ChildProcess): Promise<void> {
  proc.kill('SIGSTOP');
  try {
    await sleep(STALL_MS);
  } finally {
    proc.kill('SIGCONT');
  }
}

test('a simulated agents process stopped for 17 s keeps every agent stream', async () => {
  const { controller } = await startController(undefined, 0, {
    agentPingIntervalMs: PING_INTERVAL_MS,
    agentPingTimeoutMs: 6 * PING_INTERVAL_MS,
  });
  cleanup.push(() => controller.stop());
  const sim = await child(
    [MEZZO_BIN, 'sim-agents', '--controller', controller.grpcAddress, '--count', String(AGENTS)],
    /"registered":20/,
  );
  const agents = [...controller.core.agents.values()];
  assert.equal(agents.length, AGENTS);
  const streams = new Map<string, AgentLink | undefined>(agents.map((a) => [a.id, a.stream]));

  await stall(sim);
  const resumed = Date.now();
  // Every agent has spoken since it resumed (its ping), on the stream it had before.
  await until(
    () => agents.every((a) => a.lastSeen > resumed),
    4 * PING_INTERVAL_MS,
    'every agent heard from after the stall',
  );
  for (const a of agents) {
    assert.equal(a.state, 'active', `${a.info.hostname} active`);
    assert.ok(a.stream !== undefined, `${a.info.hostname} has a stream`);
    assert.equal(a.stream, streams.get(a.id), `${a.info.hostname} did not reconnect`);
  }
});

/** A controller in a process of its own (the scale bench's), to stop with SIGSTOP. */
async function controllerProcess(): Promise<{
  ctl: ChildProcess;
  grpcPort: number;
  httpPort: number;
}> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const proc = fileURLToPath(
    new URL('../../../bench/scale/harness/controller-proc.js', import.meta.url),
  );
  const ctl = await child(
    [
      proc,
      `--work-dir=${tempDir('mezzo-busy-peer-')}`,
      `--grpc-port=${String(grpcPort)}`,
      `--http-port=${String(httpPort)}`,
      `--ping-interval-ms=${String(PING_INTERVAL_MS)}`,
      '--max-offers=0',
    ],
    /"grpc"/,
  );
  return { ctl, grpcPort, httpPort };
}

/** Waits for the stopped-and-resumed controller to answer over HTTP again. */
async function answersAgain(httpPort: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${String(httpPort)}/metrics`, {
    headers: authHeader(),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200);
}

test('a controller process stopped for 17 s keeps every simulated agent registered once', async () => {
  const { ctl, grpcPort, httpPort } = await controllerProcess();
  const sim = await startSimAgents({
    controller: `127.0.0.1:${String(grpcPort)}`,
    token: TEST_TOKEN,
    count: AGENTS,
    prefix: 'busy',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.5,
  });
  cleanup.push(() => sim.close());
  await sim.allRegistered();

  await stall(ctl);
  // The controller answers again (its HTTP API is on the same event loop).
  await answersAgain(httpPort);
  // One heartbeat interval: each agent pings and is answered on its stream.
  await sleep(PING_INTERVAL_MS + 1_000);
  for (const a of sim.agents) {
    assert.ok(a.isRegistered, `${a.spec.hostname} registered`);
    assert.equal(a.registrationCount, 1, `${a.spec.hostname} registered once, not again`);
  }
});

test('a controller process stopped for 17 s keeps a framework on its first subscription', async () => {
  const { ctl, grpcPort, httpPort } = await controllerProcess();
  const fw = new SchedulerClient({
    address: `127.0.0.1:${String(grpcPort)}`,
    token: TEST_TOKEN,
    framework: { name: 'busy-fw', user: 'nobody', roles: ['*'], failover_timeout_seconds: 60 },
  });
  cleanup.push(() => {
    fw.close();
  });
  let subscriptions = 0;
  const drops: string[] = [];
  fw.on('subscribed', () => subscriptions++);
  fw.on('disconnected', (reason) => drops.push(reason));
  await fw.start();

  await stall(ctl);
  await answersAgain(httpPort);
  // Past a keepalive interval after the resume, so that a late drop would show.
  await sleep(PING_INTERVAL_MS + 1_000);
  assert.deepEqual(drops, [], 'the subscription was not dropped');
  assert.equal(subscriptions, 1, 'subscribed once, not again');
  assert.ok(fw.connected);
});
