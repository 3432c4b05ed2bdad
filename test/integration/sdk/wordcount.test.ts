// The example batch framework (examples/wordcount) as a user runs it: a separate process
// that talks to a real controller over loopback gRPC, with two real agents in two zones.
// Mid-job the controller dies and another replica takes over from the same state on
// another address, as after a leader failover: agents and the SDK move to it, the SDK
// resubscribes with the framework ID and reconciles, the running tasks keep going, the
// flaky shard is retried, and the job's own check of the result passes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import { startAgent, startController, until } from '../controller/support.js';
import { freePort } from '../../support/net.js';
import { tempDir } from '../../support/cleanup.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Summary {
  ok: boolean;
  words: number;
  tasksLaunched: number;
  retries: number;
  local: number;
  nonLocal: number;
  resubscriptions: number;
  error?: string;
}

test(
  'word count survives a controller failover mid-job, retries, and prefers local agents',
  { timeout: 90_000 },
  async () => {
    const first = await startController();
    let controller: Controller = first.controller;
    const address = controller.grpcAddress;
    const standbyPort = await freePort();
    const replicas = [address, `127.0.0.1:${standbyPort}`];
    const agents: Agent[] = [];
    // 1 cpu per agent: four 0.25-cpu tasks per zone at a time.
    for (const zone of ['a', 'b'])
      agents.push(await startAgent(replicas, 'cpus:1;mem:512', `node-${zone}`, `zone:${zone}`));
    cleanup.push(async () => {
      for (const a of agents) await a.stop();
    });
    await until(() => controller.core.agents.size === 2, 5_000, 'agents');

    const out = tempDir('wc-out-');
    const job = spawn(
      process.execPath,
      [
        join(root, 'dist/examples/wordcount/main.js'),
        '--controller',
        replicas.join(','),
        '--job',
        join(root, 'examples/wordcount/job.yaml'),
        '--out',
        out,
        '--flaky',
        '3',
        '--task-delay',
        '2',
        '--locality-wait',
        '10000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanup.push(() => {
      job.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    job.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    job.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => job.on('exit', resolve));

    // Fail over while tasks run: each sleeps 2 s before counting.
    const running = () =>
      [...controller.core.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length;
    await until(() => running() >= 4, 20_000, 'four tasks running');
    await controller.stop();
    const second = await startController(first.dir, standbyPort);
    controller = second.controller;
    cleanup.push(() => second.controller.stop());

    const code = await exited;
    assert.equal(code, 0, `job failed:\n${stdout}\n${stderr}`);
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Summary;
    assert.equal(summary.ok, true, summary.error);
    // 8 shards, plus one launch per retry and no others: the flaky shard 3 is retried, and
    // a launch the failover swallowed comes back as TASK_DROPPED/GONE and is retried too.
    assert.ok(summary.retries >= 1, 'the flaky shard was retried');
    assert.equal(summary.tasksLaunched, 8 + summary.retries);
    assert.ok(summary.resubscriptions >= 1, 'the SDK resubscribed to the new replica');
    // Each zone's agent fits all four of its shards at once, well within the 10 s wait.
    assert.equal(
      summary.local,
      summary.tasksLaunched,
      `local ${summary.local}, non-local ${summary.nonLocal}`,
    );
    // Counted here independently of the job: every run of letters in every shard.
    const inputDir = join(root, 'examples/wordcount/input');
    const words = readdirSync(inputDir)
      .map((f) => readFileSync(join(inputDir, f), 'utf8').match(/[a-z]+/gi)?.length ?? 0)
      .reduce((a, b) => a + b, 0);
    assert.equal(summary.words, words);
  },
);
