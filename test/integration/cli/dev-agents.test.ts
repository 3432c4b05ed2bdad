// `mezzo dev --agents 3`: three real agents on this machine, each its own hostname and
// zone, so an App with `hostname UNIQUE` and four instances runs one instance on each
// agent and leaves the fourth unplaced, saying why (one agent would run one instance).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { devPrerequisite, mezzoAt, spawnDev } from '../../support/dev-process.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { waitFor } from '../apps/support.js';

const cgroupRoot = testCgroupRoot('devagents');
// Tasks outlive `mezzo dev` by design: kill what this test started and remove its cgroups.
after(() => cleanCgroupTrees(cgroupRoot));

const APP = `apiVersion: mezzo.dev/v1alpha1
kind: App
metadata:
  name: one-per-host
spec:
  command: exec sleep 600
  instances: 4
  cpus: 0.05
  mem: 16Mi
  constraints:
    - attribute: hostname
      operator: UNIQUE
`;

interface StateView {
  agents: { id: string; hostname: string; attributes: Record<string, string> }[];
  frameworks: { tasks: { id: string; state: string; agentId?: string; agent_id?: string }[] }[];
}

test('mezzo dev --agents 3: three agents, zones a b c, UNIQUE hostname places one per agent', async (t) => {
  if (!devPrerequisite(t)) return;
  const workDir = tempDir('mezzo-devagents-');
  const dev = await spawnDev({ cgroupRoot, workDir, agents: 3 });
  try {
    const state = async (): Promise<StateView | undefined> => {
      const r = await dev.fetch('/state').catch(() => undefined);
      return r?.ok ? ((await r.json()) as StateView) : undefined;
    };
    await waitFor(
      async () => (await state())?.agents.length === 3,
      30_000,
      () => `three agents: ${dev.output.slice(-2000)}`,
    );
    const agents = (await state())?.agents ?? [];
    assert.deepEqual(
      agents.map((a) => [a.hostname, a.attributes.zone]).sort(),
      [1, 2, 3].map((i) => [`${hostname()}-${String(i)}`, ['a', 'b', 'c'][i - 1]]),
    );

    const file = join(workDir, 'app.yaml');
    writeFileSync(file, APP);
    const applied = mezzoAt(dev.server, 'apply', '-f', file);
    assert.equal(applied.status, 0, applied.stderr);
    const app = () => {
      const r = mezzoAt(dev.server, 'get', 'apps', '-o', 'json');
      if (r.status !== 0) return undefined;
      const apps = JSON.parse(r.stdout) as {
        metadata: { name: string };
        status?: { unplacedReason?: string };
      }[];
      return apps.find((a) => a.metadata.name === 'one-per-host');
    };
    const running = () =>
      [
        ...mezzoAt(dev.server, 'get', 'tasks').stdout.matchAll(
          /one-per-host\S*\s+TASK_RUNNING\s+(\S+)/g,
        ),
      ].map((m) => m[1]);
    await waitFor(
      () => running().length === 3 && (app()?.status?.unplacedReason ?? '') !== '',
      60_000,
      () =>
        `three instances running and one unplaced: ${mezzoAt(dev.server, 'get', 'tasks').stdout}`,
    );
    // One on each agent, and the fourth refused for the constraint.
    assert.deepEqual(new Set(running()), new Set(agents.map((a) => a.id)));
    assert.match(app()?.status?.unplacedReason ?? '', /hostname|UNIQUE/i);
    mezzoAt(dev.server, 'delete', 'app', 'one-per-host');
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));
});
