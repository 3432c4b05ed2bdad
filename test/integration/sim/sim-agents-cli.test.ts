// `mezzo sim-agents` as a user runs it: a separate process that prints {"registered":N}
// once its agents are registered, keeps running while the controller restarts (its agents
// come back), and exits 0 on SIGTERM.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Controller } from '../../../src/controller/controller.js';
import { MEZZO_BIN } from '../../support/dev-process.js';
import { startController, until } from '../controller/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('mezzo sim-agents registers its agents and outlives a controller restart', async () => {
  const first = await startController();
  let controller: Controller = first.controller;
  cleanup.push(() => controller.stop());
  const port = Number(controller.grpcAddress.split(':').pop());
  // The token comes from $MEZZO_TOKEN (test/support/auth.ts sets it), as a user's would.
  const child = spawn(
    process.execPath,
    [MEZZO_BIN, 'sim-agents', '--controller', controller.grpcAddress, '--count', '5'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('\n'), 30_000, 'the registered line');
  assert.deepEqual(JSON.parse(out.split('\n')[0] ?? ''), { registered: 5 });
  assert.equal(controller.core.agents.size, 5);

  await controller.stop();
  const second = await startController(first.dir, port);
  controller = second.controller;
  await until(
    () =>
      [...controller.core.agents.values()].filter((a) => a.state === 'active' && a.stream)
        .length === 5,
    30_000,
    `the 5 agents back after the restart (sim-agents exited: ${String(child.exitCode)}; ${out})`,
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
});
