// Checkpointing and recovery with a real agent process: `kill -9` of the agent while 20
// tasks run; tasks keep running; some other tasks exit while the agent is down; the
// restarted agent reattaches (pid + start time), re-registers with every task, reports
// the exits with the right terminal states, and resends unacknowledged updates. On the
// controller side each task's updates arrive exactly once (deduplicated by uuid) and in
// sequence order with nothing missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectCgroups } from '../../../src/agent-sidecar/cgroups.js';
import { isSameLiveProcess, readProcStat } from '../../../src/agent-sidecar/procfs.js';
import {
  parseSupervisorRecord,
  SUPERVISOR_FILE,
} from '../../../src/agent-sidecar/supervisor-record.js';
import { FakeController, shellTask } from './support/fake-controller.js';
import { needCgroups, uniqueCgroupRoot } from './support/harness.js';
import { tempDir } from '../../support/cleanup.js';
import { authHeader } from '../../support/auth.js';

const MAIN = fileURLToPath(new URL('../../../src/agent-sidecar/main.js', import.meta.url));

interface AgentProc {
  child: ChildProcess;
  port: number;
}

async function startAgentProcess(args: string[]): Promise<AgentProc> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEZZO_LOG_LEVEL: 'warn', MEZZO_LOG_FORMAT: 'json' },
  });
  let errText = '';
  child.stderr.on('data', (d: Buffer) => {
    errText += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`agent did not start: ${errText}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"event":"agent-started","port":(\d+)/.exec(buf);
      if (m?.[1]) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`agent exited ${String(code)}: ${errText}`));
    });
  });
  return { child, port };
}

interface StateTask {
  taskId: string;
  phase: string;
  pid?: number;
  state?: string;
}

async function agentState(port: number): Promise<{ tasks: StateTask[] }> {
  const res = await fetch(`http://127.0.0.1:${String(port)}/state`, { headers: authHeader() });
  return (await res.json()) as { tasks: StateTask[] };
}

test('kill -9 of the agent with 20 running tasks: reattach, report, resend, exactly once in order', async (t) => {
  if (!needCgroups(t)) return;
  const controller = new FakeController('agent-r', 1);
  await controller.start();
  const workDir = tempDir('mezzo-recovery-');
  const triggerDir = tempDir('mezzo-trigger-');
  chmodSync(triggerDir, 0o755);
  const trigger = join(triggerDir, 'go');
  const cgroupRoot = uniqueCgroupRoot();
  const args = [
    '--controller',
    controller.address,
    '--work-dir',
    workDir,
    '--resources',
    'cpus:2;mem:4096;ports:[31000-32000]',
    '--attributes',
    'rack:r1',
    '--port',
    '0',
    '--cgroup-root',
    cgroupRoot,
    '--usage-interval',
    '1',
  ];
  let agent: AgentProc | undefined;
  const long = Array.from({ length: 20 }, (_, i) => `long-${String(i)}`);
  const exiters = Array.from({ length: 5 }, (_, i) => `exit-${String(i)}`);
  // Acks are held for these, so their updates are unacknowledged when the agent dies.
  const held = ['long-0', 'long-1', 'long-2', 'exit-0'];
  try {
    agent = await startAgentProcess(args);
    await controller.waitFor(() => controller.registrations === 1, 10_000, 'registration');
    for (const id of held) controller.holdAcks.add(id);
    for (const id of long)
      controller.launch(shellTask(id, 'exec sleep 1000', { cpus: 0.05, mem: 16 }));
    exiters.forEach((id, i) => {
      // Exit codes 0 (FINISHED) and 10+i (FAILED), once the trigger file appears.
      const code = i % 2 === 0 ? 0 : 10 + i;
      controller.launch(
        shellTask(id, `while [ ! -f ${trigger} ]; do sleep 0.05; done; exit ${String(code)}`, {
          cpus: 0.05,
          mem: 16,
        }),
      );
    });
    const all = [...long, ...exiters];
    await controller.waitFor(
      () =>
        all.every((id) =>
          controller.states(id).includes(held.includes(id) ? 'TASK_STARTING' : 'TASK_RUNNING'),
        ),
      20_000,
      'all tasks started',
    );
    // Held tasks: RUNNING is recorded on the agent but not yet sent (STARTING unacked).
    let st = await agentState(agent.port);
    for (let i = 0; i < 100 && st.tasks.filter((x) => x.phase === 'running').length < 25; i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = await agentState(agent.port);
    }
    assert.equal(st.tasks.filter((x) => x.phase === 'running').length, 25);
    const pidsBefore = new Map<string, number>();
    for (const x of st.tasks) if (x.pid) pidsBefore.set(x.taskId, x.pid);
    assert.equal(pidsBefore.size, 25);
    for (const id of held) assert.deepEqual(controller.states(id), ['TASK_STARTING']);

    // kill -9 the agent; the tasks are not its process group.
    agent.child.kill('SIGKILL');
    await new Promise((r) => agent?.child.once('exit', r));
    agent = undefined;
    const startTimes = new Map<string, number>();
    for (const [id, pid] of pidsBefore) {
      const ps = await readProcStat(pid);
      assert.ok(ps && ps.state !== 'Z', `task ${id} supervisor ${String(pid)} survived the agent`);
      startTimes.set(id, ps.startTime);
    }
    // Updates produced while the agent is down: the exiters end now.
    writeFileSync(trigger, '');
    const sandboxes = join(workDir, 'sandboxes');
    await controller.waitFor(
      () =>
        readdirSync(sandboxes).filter((d) => {
          const f = join(sandboxes, d, '.mezzo', SUPERVISOR_FILE);
          return existsSync(f) && parseSupervisorRecord(readFileSync(f, 'utf8')).exit !== undefined;
        }).length === 5,
      10_000,
      'exiters to exit while the agent is down',
    );
    controller.holdAcks.clear();

    agent = await startAgentProcess(args);
    await controller.waitFor(() => controller.registrations === 2, 10_000, 're-registration');
    const rr = controller.reregistrations[0];
    assert.ok(rr, 'the agent re-registered (it has a persisted ID)');
    assert.equal(rr.agent_info?.id, 'agent-r');
    assert.equal(rr.tasks.length, 25);
    assert.equal(rr.latest_statuses.length, 25);
    assert.deepEqual(rr.agent_info.attributes, [{ name: 'rack', text: 'r1' }]);

    await controller.waitFor(
      () =>
        exiters.every((id) => {
          const s = controller.latest(id)?.state;
          return s === 'TASK_FINISHED' || s === 'TASK_FAILED';
        }) && held.every((id) => controller.states(id).includes('TASK_RUNNING')),
      20_000,
      'terminal updates and resent RUNNING updates',
    );
    exiters.forEach((id, i) => {
      const s = controller.latest(id);
      assert.ok(s);
      if (i % 2 === 0) {
        assert.equal(s.state, 'TASK_FINISHED', id);
        assert.equal(s.exit_code, 0);
      } else {
        assert.equal(s.state, 'TASK_FAILED', id);
        assert.equal(s.reason, 'REASON_COMMAND_EXITED_NONZERO');
        assert.equal(s.exit_code, 10 + i);
      }
    });

    // All 20 long tasks still run, reattached to the same processes.
    st = await agentState(agent.port);
    for (const id of long) {
      const x = st.tasks.find((y) => y.taskId === id);
      assert.equal(x?.phase, 'running', `${id} reattached`);
      assert.equal(x.pid, pidsBefore.get(id));
      const pid = pidsBefore.get(id) ?? -1;
      assert.ok(await isSameLiveProcess(pid, startTimes.get(id) ?? -1), `${id} still alive`);
      assert.equal(controller.latest(id)?.state, 'TASK_RUNNING');
    }

    // Exactly once, in order, nothing missing.
    for (const id of all) {
      const ds = controller.deliveries.get(id) ?? [];
      assert.deepEqual(
        ds.map((d) => d.status.sequence),
        ds.map((_, i) => i + 1),
        `${id}: first deliveries in sequence order with no gap`,
      );
      const expect = id.startsWith('long')
        ? ['TASK_STARTING', 'TASK_RUNNING']
        : ['TASK_STARTING', 'TASK_RUNNING', controller.latest(id)?.state ?? '?'];
      assert.deepEqual(controller.states(id), expect, id);
    }
    for (const id of held) {
      const first = controller.deliveries.get(id)?.[0];
      assert.ok(first && first.copies >= 2, `${id}: the unacked update was resent after restart`);
    }
    const metrics = await (
      await fetch(`http://127.0.0.1:${String(agent.port)}/metrics`, { headers: authHeader() })
    ).text();
    assert.match(metrics, /mezzo_agent_connected 1/);
    assert.match(metrics, /mezzo_agent_tasks\{phase="running"\} 20/);
  } finally {
    if (agent) {
      agent.child.kill('SIGTERM');
      await new Promise((r) => agent?.child.once('exit', r));
    }
    const cg = detectCgroups(cgroupRoot);
    const metaTasks = join(workDir, 'meta', 'tasks');
    if (existsSync(metaTasks)) {
      for (const key of readdirSync(metaTasks)) await cg.destroy(key).catch(() => undefined);
    }
    await cg.destroyRoot().catch(() => undefined);
    await controller.stop();
    await rm(workDir, { recursive: true, force: true });
    await rm(triggerDir, { recursive: true, force: true });
  }
});
