/**
 * The soak's batch framework: an external SDK framework, run as its own process so the
 * harness can SIGKILL it and start it again with the same framework ID. It launches
 * `--total` short tasks (`batch-<n>`), paced evenly over `--spread-ms` since its first
 * start, at most `--concurrency` in flight; each sleeps a while and exits 0, or 1 for
 * about one in ten. Everything it does and hears goes to its records file first
 * (batch-records.ts); it acknowledges an update only after recording it.
 *
 * Usage: node batch-framework.js --controller H:P --dir D --markers M --total N
 *        --concurrency C --spread-ms MS --seed S
 * The file `D/stop` makes it stop launching (the harness's quiesce).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import { SchedulerClient, OfferMatcher, commandTask, launch } from '../../../src/sdk/index.js';
import type { Offer, Resource, TaskInfo, TaskStatus } from '../../../src/sdk/index.js';
import { readBatchLog, type BatchRecord } from './batch-records.js';
import { rngFor } from './rng.js';
import { MARKER_ENV, MARKER_SH } from './workload.js';

const { values: a } = parseArgs({
  options: {
    controller: { type: 'string' },
    dir: { type: 'string' },
    markers: { type: 'string' },
    total: { type: 'string' },
    concurrency: { type: 'string' },
    'spread-ms': { type: 'string' },
    seed: { type: 'string' },
  },
});
const controller = a.controller ?? '127.0.0.1:5051';
const dir = a.dir ?? '.';
const markers = a.markers ?? dir;
const total = Number(a.total ?? 100);
const concurrency = Number(a.concurrency ?? 8);
const spreadMs = Number(a['spread-ms'] ?? 30_000);
const seed = Number(a.seed ?? 1);
const recordsFile = join(dir, 'records.jsonl');
const idFile = join(dir, 'framework-id');
const startFile = join(dir, 'started-at');

function record(r: BatchRecord): void {
  appendFileSync(recordsFile, `${JSON.stringify(r)}\n`);
}

// What earlier incarnations did: the same framework ID, the launch pacing clock, the
// launched and finished tasks, and the agent of each (for explicit reconciliation).
const past = readBatchLog(recordsFile);
const savedId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : '';
if (!existsSync(startFile)) writeFileSync(startFile, String(Date.now()));
const startedAt = Number(readFileSync(startFile, 'utf8'));
let next = Math.max(-1, ...[...past.tasks.values()].map((t) => t.index)) + 1;
const done = new Set<string>();
const unknown = new Set<string>();
const agentOf = new Map<string, string>();
for (const t of past.tasks.values()) {
  if (t.deliveries.some((d) => isTerminal(d.state))) done.add(t.id);
  const last = t.deliveries.at(-1);
  if (last?.state === 'TASK_UNKNOWN') unknown.add(t.id);
}
const inFlight = (): string[] =>
  [...past.tasks.keys()].filter((id) => !done.has(id) && !unknown.has(id));
// Tasks take at most 2 s: one silent for longer is stuck (the oracle reports it), and must
// not hold a launch slot, or a few lost updates would stop the job's load altogether.
const STUCK_AFTER_MS = 10_000;
const busy = (): number =>
  inFlight().filter((id) => Date.now() - (past.tasks.get(id)?.launchedAt ?? 0) < STUCK_AFTER_MS)
    .length;

const client = new SchedulerClient({
  address: controller,
  framework: {
    name: 'soak-batch',
    user: 'nobody',
    roles: ['default'],
    failover_timeout_seconds: 3600,
    checkpoint: true,
    ...(savedId ? { id: savedId } : {}),
  },
  autoAcknowledge: false,
  knownTasks: () =>
    inFlight().map((id) => ({
      task_id: id,
      ...(agentOf.has(id) ? { agent_id: agentOf.get(id) } : {}),
    })),
});

function taskFor(index: number, offer: Offer, resources: Resource[]): TaskInfo {
  // Per-task numbers from (seed, index): a restarted framework launches the same job.
  const r = rngFor(seed, index);
  const seconds = r.between(0.2, 2).toFixed(2);
  const code = r.next() < 0.1 ? 1 : 0;
  return commandTask({
    taskId: `batch-${index}`,
    name: `batch-${index}`,
    agentId: offer.agent_id,
    resources,
    command: `${MARKER_SH}; sleep ${seconds}; exit ${code}`,
    env: { [MARKER_ENV]: markers },
    killGracePeriodSeconds: 1,
  });
}

function stopped(): boolean {
  return existsSync(join(dir, 'stop'));
}

function wanted(): number {
  // Paced: by now, launched at most elapsed/spread of the total.
  const due = Math.ceil((total * (Date.now() - startedAt)) / Math.max(1, spreadMs));
  return stopped() ? 0 : Math.min(total, due) - next;
}

client.on('subscribed', (id) => {
  if (id !== savedId && !existsSync(idFile)) {
    writeFileSync(`${idFile}.tmp`, id);
    renameSync(`${idFile}.tmp`, idFile);
  }
  record({ t: 'subscribed', frameworkId: id, pid: process.pid, at: Date.now() });
});

client.on('offers', (offers) => {
  for (const offer of offers) {
    const matcher = new OfferMatcher(offer);
    const tasks: TaskInfo[] = [];
    while (wanted() > 0 && busy() < concurrency) {
      const fit = matcher.take({ cpus: 0.05, mem: 16 });
      if (!fit.ok) break;
      const index = next++;
      const task = taskFor(index, offer, fit.resources);
      record({ t: 'launch', id: task.task_id ?? '', index, at: Date.now() });
      past.tasks.set(task.task_id ?? '', {
        id: task.task_id ?? '',
        index,
        launchedAt: Date.now(),
        deliveries: [],
      });
      agentOf.set(task.task_id ?? '', offer.agent_id);
      tasks.push(task);
    }
    if (tasks.length === 0) {
      client.decline([offer.id], 1).catch(() => undefined);
      continue;
    }
    client.accept([offer.id], [launch(...tasks)], 1).then(
      () => {
        for (const t of tasks)
          record({ t: 'accept', id: t.task_id ?? '', ok: true, at: Date.now() });
      },
      (err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        for (const t of tasks)
          record({ t: 'accept', id: t.task_id ?? '', ok: false, error, at: Date.now() });
      },
    );
  }
});

client.on('update', (status: TaskStatus) => {
  const uuid = status.uuid.toString('hex');
  record({
    t: 'update',
    id: status.task_id,
    state: status.state,
    uuid,
    reason: status.reason,
    at: Date.now(),
  });
  if (isTerminal(status.state)) done.add(status.task_id);
  if (status.state === 'TASK_UNKNOWN') unknown.add(status.task_id);
  else unknown.delete(status.task_id);
  if (status.agent_id) agentOf.set(status.task_id, status.agent_id);
  if (uuid !== '') client.acknowledge(status).catch(() => undefined);
});

// Offers only while launches are due; checked often, since pacing makes launches due.
const pace = setInterval(() => {
  client.wantOffers(wanted() > 0 && next < total).catch(() => undefined);
}, 250);

await client.start();
await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
clearInterval(pace);
client.close();
