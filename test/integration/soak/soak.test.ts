// The bounded chaos soak (issue 12, deliverable 9): a real controller, agent and batch
// framework as separate processes, about 150 tasks from Apps, Schedules and the batch
// framework, faults of every kind at seeded random times (seed 12), then the oracle:
// every task final or running, each final state delivered once to its framework, App
// instances equal to the processes really running, no task run twice, none lost, the
// controller's memory under its ceiling. The long version is `npm run bench -- soak`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortConfig } from '../../../bench/soak/harness/config.js';
import { runSoak } from '../../../bench/soak/harness/run.js';
import { devPrerequisite } from '../../support/dev-process.js';

test(
  'chaos soak: every task accounted for after random SIGKILLs and a partition',
  { timeout: 240_000 },
  async (t) => {
    if (!devPrerequisite(t)) return;
    const report = await runSoak(shortConfig(12), {
      log: (line) => t.diagnostic(line),
    });
    const text = JSON.stringify(report, null, 2);
    t.diagnostic(text);
    const tasks = report.tasks as { launched: number; lost: number; duplicated: number };
    const faults = report.faults as Record<string, number>;
    // Every kind of fault happened (the bag deals each kind once in every five faults).
    for (const kind of [
      'controller_kill',
      'agent_kill',
      'task_kill',
      'framework_kill',
      'agent_partition',
    ])
      assert.ok((faults[kind] ?? 0) >= 1, `no ${kind} fault was injected:\n${text}`);
    assert.ok(tasks.launched >= 100, `only ${tasks.launched} tasks ran:\n${text}`);
    assert.equal(tasks.lost, 0, `lost tasks:\n${text}`);
    assert.equal(tasks.duplicated, 0, `tasks that ran twice:\n${text}`);
    assert.deepEqual(
      (report.violations as { by_kind: unknown }).by_kind,
      {},
      `oracle violations:\n${text}`,
    );
    assert.equal(report.ok, true);
  },
);
