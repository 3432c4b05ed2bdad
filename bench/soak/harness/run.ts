/**
 * One soak run: start the cluster, apply the workload, inject faults for `chaosMs`, stop
 * the faults and the new work, let the system settle (observing until the oracle finds
 * nothing that settling could still repair, or the deadline), and report. The cluster
 * is destroyed on every path out, failures included.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SoakConfig } from './config.js';
import { SoakCluster, type ApplyResult } from './cluster.js';
import { gatherFacts, type Facts } from './facts.js';
import { FaultInjector, type TimedEvent } from './faults.js';
import { judge, type Judgement } from './oracle.js';
import { notableLogLines } from './log-tails.js';
import { rssMiB } from './process.js';
import { buildReport, type RssSummary } from './report.js';
import { Rng } from './rng.js';
import { PERMANENT, type Violation } from './violations.js';
import { appObject, scheduleObjects } from './workload.js';

/** Options of a run. */
export interface SoakOptions {
  /** Progress lines (stderr in the bench). */
  log?: (line: string) => void;
  /** Keep the work dir (logs, markers, state) for a post-mortem. */
  keep?: boolean;
}

function rejected(results: ApplyResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.object}: ${r.error ?? 'rejected'}`);
}

/** Samples the controller's RSS every second, across its restarts. */
function sampleRss(cluster: SoakCluster): { stop(): RssSummary } {
  const s: RssSummary = { maxMiB: 0, finalMiB: 0, samples: 0 };
  const take = () => {
    const pid = cluster.controller.pid;
    const mib = pid === undefined ? undefined : rssMiB(pid);
    if (mib === undefined) return;
    s.maxMiB = Math.max(s.maxMiB, mib);
    s.finalMiB = mib;
    s.samples++;
  };
  const timer = setInterval(take, 1_000);
  return {
    stop() {
      clearInterval(timer);
      take();
      return s;
    },
  };
}

/** The workload's scale-up and delete, a third and two thirds into the chaos. */
function workloadEvents(cluster: SoakCluster, cfg: SoakConfig, deleted: string[]): TimedEvent[] {
  const [first] = cfg.apps;
  const doomed = cfg.apps.find((a) => a.name === 'doomed');
  const events: TimedEvent[] = [];
  if (first)
    events.push({
      atMs: cfg.chaosMs / 3,
      name: `scale App ${first.name} to ${first.instances + 2}`,
      run: async () => {
        const bad = rejected(
          await cluster.apply([appObject(first, cluster.markers, first.instances + 2)]),
        );
        if (bad.length > 0) throw new Error(`scale rejected: ${bad.join('; ')}`);
        first.instances += 2;
      },
    });
  if (doomed)
    events.push({
      atMs: (2 * cfg.chaosMs) / 3,
      name: `delete App ${doomed.name}`,
      run: async () => {
        await cluster.deleteApp(doomed.name);
        deleted.push(doomed.name);
      },
    });
  return events;
}

/** Observes until nothing repairable is left or the deadline passes. */
async function settle(
  cluster: SoakCluster,
  faults: FaultInjector,
  deleted: string[],
  t0: number,
  deadline: number,
  log: (line: string) => void,
): Promise<{ facts: Facts; judgement: Judgement; converged: boolean }> {
  for (;;) {
    const facts = await gatherFacts(cluster, faults.log, deleted);
    const judgement = judge(facts, t0);
    const healable = judgement.violations.filter((v) => !PERMANENT.has(v.kind));
    if (healable.length === 0) return { facts, judgement, converged: true };
    if (Date.now() > deadline) return { facts, judgement, converged: false };
    log(
      `settling: ${healable.length} open (${[...new Set(healable.map((v) => v.kind))].join(', ')})`,
    );
    await sleep(2_000);
  }
}

/** Runs the soak and returns its report (the cluster is gone when it returns). */
export async function runSoak(
  base: SoakConfig,
  opts: SoakOptions = {},
): Promise<Record<string, unknown>> {
  // The run edits its App list (scale); keep the caller's config as it was.
  const cfg: SoakConfig = { ...base, apps: base.apps.map((a) => ({ ...a })) };
  const log = opts.log ?? (() => undefined);
  const rng = new Rng(cfg.seed);
  const cluster = await SoakCluster.create(cfg);
  log(`work dir ${cluster.dir}, cgroup root ${cluster.cgroupRoot}`);
  let rss: { stop(): RssSummary } | undefined;
  // Interrupted (Ctrl-C on the bench): tasks outlive their agent, so clean up first.
  const interrupted = () => {
    void cluster.destroy(opts.keep === true).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const t0 = Date.now();
    // A start a minute ago: the first run is the next occurrence after the apply.
    const scheduleStart = t0 - 60_000;
    cluster.controller.start();
    if (!(await cluster.controllerReady())) throw new Error('the controller did not start');
    cluster.agent.start();
    rss = sampleRss(cluster);
    const objects = [
      ...cfg.apps.map((a) => appObject(a, cluster.markers)),
      ...scheduleObjects(cfg, cluster.markers, scheduleStart),
    ];
    const bad = rejected(await cluster.apply(objects));
    if (bad.length > 0) throw new Error(`the workload was rejected: ${bad.join('; ')}`);
    cluster.batch.start();
    const deleted: string[] = [];
    const faults = new FaultInjector(cluster, rng, cfg, log);
    await faults.run(
      t0,
      workloadEvents(cluster, cfg, deleted),
      () => cluster.batchLaunched() < cfg.batchTasks,
    );
    await faults.stop();
    const chaosEnded = Date.now();
    log('faults over: disabling schedules, letting the batch job launch its last tasks');
    const deadline = chaosEnded + cfg.settleMs;
    const off = rejected(
      await cluster.apply(scheduleObjects(cfg, cluster.markers, scheduleStart, true)),
    );
    if (off.length > 0) throw new Error(`disabling the schedules was rejected: ${off.join('; ')}`);
    // The whole job, so that the load does not depend on how fast the faults let it go;
    // but a job that stalls gets only half the settling time.
    while (cluster.batchLaunched() < cfg.batchTasks && Date.now() < chaosEnded + cfg.settleMs / 2)
      await sleep(500);
    cluster.stopBatchLaunches();
    log(`batch job launched ${cluster.batchLaunched()} of ${cfg.batchTasks}; settling`);
    const { facts, judgement, converged } = await settle(
      cluster,
      faults,
      deleted,
      t0,
      deadline,
      log,
    );
    const settledAt = Date.now();
    const r = rss.stop();
    const extra: Violation[] = [];
    if (r.maxMiB > cfg.rssCeilingMiB)
      extra.push({
        kind: 'memory',
        detail: `controller RSS reached ${r.maxMiB.toFixed(1)} MiB (ceiling ${cfg.rssCeilingMiB})`,
      });
    const report = buildReport(
      cfg,
      facts,
      judgement,
      {
        t0,
        chaosEnded,
        settledAt,
        converged,
        faults: faults.counts(),
        events: faults.events.map((e) => `${e.name}@${((e.at - t0) / 1000).toFixed(1)}s`),
        rss: r,
        controllerStarts: cluster.controller.starts,
        agentStarts: cluster.agent.starts,
        frameworkStarts: cluster.batch.starts,
      },
      extra,
    );
    if (report.ok !== true)
      for (const line of notableLogLines(join(cluster.dir, 'logs'))) log(`log ${line}`);
    return report;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rss?.stop();
    await cluster.destroy(opts.keep === true);
  }
}
