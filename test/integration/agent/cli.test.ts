// `mezzo agent` as a real process: flags, registration with parsed resources and
// attributes, /healthz, and a clean exit on SIGTERM that leaves its tasks running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectCgroups } from '../../../src/agent-sidecar/cgroups.js';
import { readProcStat } from '../../../src/agent-sidecar/procfs.js';
import { FakeController, shellTask } from './support/fake-controller.js';
import { needCgroups, uniqueCgroupRoot } from './support/harness.js';
import { tempDir } from '../../support/cleanup.js';
import { authHeader } from '../../support/auth.js';

const BIN = fileURLToPath(new URL('../../../../bin/mezzo.js', import.meta.url));

test('mezzo agent --help lists the flags', () => {
  const out = execFileSync(process.execPath, [BIN, 'agent', '--help'], { encoding: 'utf8' });
  for (const flag of [
    '--controller',
    '--work-dir',
    '--resources',
    '--attributes',
    '--port',
    '--cgroup-root',
    '--allow-root',
    '--gc-age',
  ]) {
    assert.ok(out.includes(flag), flag);
  }
});

test('mezzo agent registers, serves /healthz, and exits on SIGTERM leaving tasks running', async (t) => {
  if (!needCgroups(t)) return;
  const controller = new FakeController('agent-cli', 1);
  await controller.start();
  const workDir = tempDir('mezzo-cli-');
  const cgroupRoot = uniqueCgroupRoot();
  const child = spawn(
    process.execPath,
    [
      BIN,
      'agent',
      '--controller',
      controller.address,
      '--work-dir',
      workDir,
      '--attributes',
      'rack:r1;zone:z9',
      '--port',
      '0',
      '--cgroup-root',
      cgroupRoot,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MEZZO_LOG_LEVEL: 'warn' } },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let pid: number | undefined;
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no start line')), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    await controller.waitFor(() => controller.registrations === 1, 10_000, 'registration');
    let health = { registered: false, agentId: '', cgroups: 0 };
    for (let i = 0; i < 50 && !health.registered; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
      health = (await res.json()) as typeof health;
    }
    assert.equal(health.registered, true);
    assert.equal(health.agentId, 'agent-cli');
    assert.equal(health.cgroups, 1);
    controller.launch(shellTask('bg', 'exec sleep 1000'));
    await controller.waitForState('bg', 'TASK_RUNNING');
    const state = (await (
      await fetch(`http://127.0.0.1:${String(port)}/state`, { headers: authHeader() })
    ).json()) as {
      tasks: { pid: number }[];
    };
    pid = state.tasks[0]?.pid;
    assert.ok(pid);
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('timeout'), 5000)),
    ]);
    assert.equal(code, 0, 'the agent exits promptly on SIGTERM');
    const st = await readProcStat(pid);
    assert.ok(st && st.state !== 'Z', 'the task outlives the agent');
  } finally {
    child.kill('SIGKILL');
    const cg = detectCgroups(cgroupRoot);
    for (const key of execFileSync('ls', [join(workDir, 'meta', 'tasks')], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)) {
      await cg.destroy(key).catch(() => undefined);
    }
    await cg.destroyRoot().catch(() => undefined);
    await controller.stop();
    await rm(workDir, { recursive: true, force: true });
  }
});
