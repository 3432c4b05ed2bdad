/**
 * Chaos soak benchmark (issue 12, deliverable 9). Starts a real Mezzo as separate
 * processes — `mezzo controller --store embedded` (with the built-in apps and schedules
 * frameworks), `mezzo agent` (real task processes in cgroups; needs root) and the soak's
 * SDK batch framework — runs at least 1,000 tasks from Apps, Schedules and the batch
 * framework while SIGKILLing the controller, the agent, task processes and the batch
 * framework and freezing the agent (SIGSTOP … SIGCONT) past its ping timeout, at seeded
 * random times; then lets the system settle and checks the oracle (harness/oracle.ts).
 * Prints one JSON object; exits 1 when the oracle found a violation.
 *
 * Run: `npm run bench -- soak` (long), `npm run bench -- soak --short`, options
 * `--seed=N`, `--chaos-s=N`, `--batch-tasks=N`, `--faults=none|kind,kind` (a baseline
 * without faults, or only some kinds), `--keep` (keep the work dir).
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS, longConfig, shortConfig, type FaultKind } from './harness/config.js';
import { runSoak } from './harness/run.js';

const { values: a } = parseArgs({
  options: {
    short: { type: 'boolean' },
    seed: { type: 'string' },
    'chaos-s': { type: 'string' },
    'batch-tasks': { type: 'string' },
    faults: { type: 'string' },
    keep: { type: 'boolean' },
    quick: { type: 'boolean' },
  },
  strict: false,
});
if (process.getuid?.() !== 0) {
  process.stderr.write('soak: needs root (the agent runs tasks in cgroups)\n');
  process.exit(2);
}
const seed = typeof a.seed === 'string' ? Number(a.seed) : 12;
const cfg = a.short === true || a.quick === true ? shortConfig(seed) : longConfig(seed);
if (typeof a['chaos-s'] === 'string') {
  cfg.chaosMs = Number(a['chaos-s']) * 1000;
  cfg.chaosMaxMs = Math.max(cfg.chaosMs, cfg.chaosMaxMs);
}
if (typeof a['batch-tasks'] === 'string') cfg.batchTasks = Number(a['batch-tasks']);
if (typeof a.faults === 'string') {
  const kinds = a.faults === 'none' ? [] : a.faults.split(',');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    process.stderr.write(
      `soak: unknown fault kinds ${unknown.join(', ')} (have ${FAULT_KINDS.join(', ')})\n`,
    );
    process.exit(2);
  }
  cfg.faultKinds = kinds as FaultKind[];
}

const report = await runSoak(cfg, {
  log: (line) => process.stderr.write(`[soak] ${line}\n`),
  keep: a.keep === true,
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.ok === true ? 0 : 1;
