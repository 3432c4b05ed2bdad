// The ETL example under `mezzo dev` as a real process, driven by the CLI: apply it with
// transform made to fail its first attempt, `mezzo run-schedule extract`, and watch the
// chain finish (transform retried after its backoff); `mezzo get schedules`,
// `mezzo graph schedules` (DOT; JSON is unit-tested) and a cycle refused at `mezzo apply`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { devPrerequisite, mezzoAt, spawnDev } from '../../support/dev-process.js';
import type { ScheduleStatusView } from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const example = fileURLToPath(new URL('../../../../examples/schedules/etl.yaml', import.meta.url));
const cgroupRoot = testCgroupRoot('schedcli');

// Tasks outlive `mezzo dev` by design: kill what this test started and remove its cgroups.
after(() => cleanCgroupTrees(cgroupRoot));

interface Obj {
  metadata: { name: string };
  spec: Record<string, unknown>;
  status?: ScheduleStatusView;
}

const mezzo = mezzoAt;

test('the ETL example under mezzo dev: run-schedule, a retried failure, get and graph', async (t) => {
  if (!devPrerequisite(t)) return;
  const workDir = tempDir('mezzo-schedev-');
  const etl = tempDir('mezzo-etl-');
  chmodSync(etl, 0o777);
  const dev = await spawnDev({ cgroupRoot, workDir });
  const { server } = dev;
  const schedules = async () => (await (await dev.fetch('/objects?kind=Schedule')).json()) as Obj[];
  const poll = async (cond: (objs: Obj[]) => boolean, what: string) => {
    const start = Date.now();
    for (;;) {
      const objs = await schedules().catch(() => undefined);
      if (objs && cond(objs)) return objs;
      assert.ok(
        Date.now() - start < 20_000,
        `timed out waiting for ${what}: ${dev.output.slice(-2000)}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await poll(() => true, 'mezzo dev to answer');
    // The example, pointed at this test's directory, with transform failing once.
    const docs = parseAllDocuments(readFileSync(example, 'utf8')).map((d) => d.toJS() as Obj);
    for (const d of docs) (d.spec.env as Record<string, string>).ETL_DIR = etl;
    const transform = docs.find((d) => d.metadata.name === 'transform');
    assert.ok(transform);
    transform.spec.command = `if [ ! -e "$ETL_DIR/failed-once" ]; then touch "$ETL_DIR/failed-once"; exit 1; fi; ${String(transform.spec.command)}`;
    transform.spec.retryBackoff = 'PT1S';
    const file = join(workDir, 'etl.yaml');
    writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    const applied = mezzo(server, 'apply', '-f', file);
    assert.equal(applied.status, 0, applied.stderr);
    const run = mezzo(server, 'run-schedule', 'extract');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^schedule default\/extract: run requested \(mezzo\.dev\/run-now=/);
    const done = await poll(
      (objs) => objs.find((o) => o.metadata.name === 'load')?.status?.successCount === 1,
      'load to succeed',
    );
    assert.equal(readFileSync(join(etl, 'loaded.txt'), 'utf8'), '3\n');
    const tr = done.find((o) => o.metadata.name === 'transform')?.status;
    assert.deepEqual(
      tr?.history?.map((h) => `${h.attempt} ${h.trigger} ${h.result}`),
      ['2 retry Succeeded', '1 dependency Failed'],
    );
    // Backoff PT1S: the retry started at least a second after the failure.
    const failedAt = Date.parse(tr.history[1]?.finishedAt ?? '');
    const retriedAt = Date.parse(tr.history[0]?.startedAt ?? '');
    assert.ok(retriedAt - failedAt >= 1_000, `retry ${retriedAt - failedAt} ms after the failure`);
    process.stdout.write(
      `# retry started ${retriedAt - failedAt} ms after the failure (backoff PT1S)\n`,
    );
    const get = mezzo(server, 'get', 'schedules');
    assert.equal(get.status, 0, get.stderr);
    assert.match(get.stdout, /^NAMESPACE\s+NAME\s+SCHEDULE\s+NEXT\s+LAST SUCCESS\s+ERRORS/m);
    assert.match(get.stdout, /transform\s+\S+Z\s+1\s/);
    const dot = mezzo(server, 'graph', 'schedules');
    assert.equal(dot.status, 0, dot.stderr);
    assert.match(dot.stdout, /"extract" -> "transform";\n\s+"transform" -> "load";/);

    // A cycle is refused at `mezzo apply` (on Kubernetes, where kubectl cannot see other
    // objects, the Schedules' status reports it: test/e2e/kube/controller-ha.test.ts).
    const cyc = join(workDir, 'cycle.yaml');
    writeFileSync(
      cyc,
      [
        'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: ping}\nspec: {schedule: "R/2026-01-01T00:00:00Z/PT1M", parents: [pong], command: "true"}',
        'apiVersion: mezzo.dev/v1alpha1\nkind: Schedule\nmetadata: {name: pong}\nspec: {parents: [ping], command: "true"}',
      ].join('\n---\n'),
    );
    const refused = mezzo(server, 'apply', '-f', cyc);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /Schedule\/pong rejected: spec\.parents: dependency cycle: (ping -> pong -> ping|pong -> ping -> pong)/,
    );
    // ping itself went in, waiting for a parent that does not exist: drawn red.
    await poll(
      (objs) =>
        objs.find((o) => o.metadata.name === 'ping')?.status?.conditions?.[0]?.status === 'False',
      'ping reported as unable to run',
    );
    assert.match(mezzo(server, 'graph', 'schedules').stdout, /"ping" \[shape=box, color=red/);
    const missing = mezzo(server, 'run-schedule', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Schedule\/nope not found in default/);
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));
});
