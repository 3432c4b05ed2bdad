/**
 * The fault injector: one fault after another, at seeded random gaps, of kinds drawn from
 * a shuffled bag (so every kind comes round again within each five faults). A fault
 * includes its repair — a killed controller, agent or framework is started again after a
 * seeded random downtime — except a partition: the agent is frozen with SIGSTOP and
 * thawed with SIGCONT `partitionMs` later, while further faults go on meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_KINDS, type FaultKind, type SoakConfig } from './config.js';
import type { SoakCluster } from './cluster.js';
import type { FaultRecord } from './facts.js';
import { liveCgroups, readAgentTasks, supervisorPid } from './node-facts.js';
import type { Rng } from './rng.js';

/** Something the workload does at a set time during the chaos (scale, delete). */
export interface TimedEvent {
  atMs: number;
  name: string;
  run: () => Promise<void>;
}

/** Injects faults into a {@link SoakCluster}. */
export class FaultInjector {
  /** Every fault injected, in order. */
  readonly log: FaultRecord[] = [];
  /** Workload events done, with when. */
  readonly events: { name: string; at: number }[] = [];
  private bag: FaultKind[] = [];
  private thawTimer: NodeJS.Timeout | undefined;
  private thawAt = 0;

  constructor(
    private readonly cluster: SoakCluster,
    private readonly rng: Rng,
    private readonly cfg: SoakConfig,
    private readonly note: (line: string) => void,
  ) {}

  private get partitioned(): boolean {
    return this.cluster.agent.frozen;
  }

  private nextKind(): FaultKind | undefined {
    for (let tries = 0; tries < 10; tries++) {
      if (this.bag.length === 0) this.bag = this.rng.shuffled(this.cfg.faultKinds);
      const kind = this.bag.shift();
      // One partition at a time: put it back for later.
      if (kind === 'agent_partition' && this.partitioned) {
        this.bag.push(kind);
        continue;
      }
      return kind;
    }
    return undefined;
  }

  private record(kind: FaultKind, detail?: string): void {
    this.log.push({ kind, at: Date.now(), ...(detail !== undefined ? { detail } : {}) });
    this.note(`fault ${kind}${detail ? `: ${detail}` : ''}`);
  }

  private downtime(): number {
    return this.rng.between(this.cfg.downMs[0], this.cfg.downMs[1]);
  }

  /** SIGKILLs one process alive in a random task cgroup; false when none is alive. */
  private killTask(): boolean {
    const byCgroup = new Map(
      [...readAgentTasks(this.cluster.agentDir).values()].map((t) => [t.cgroup, t.taskId]),
    );
    const live = [...liveCgroups(this.cluster.cgroupRoot)].sort(([a], [b]) => a.localeCompare(b));
    const chosen = this.rng.pick(live);
    if (!chosen) return false;
    const [cgroup, pids] = chosen;
    const pid = this.rng.pick([...pids].sort((a, b) => a - b));
    if (pid === undefined) return false;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return false; // it exited meanwhile
    }
    const role = pid === supervisorPid(this.cluster.agentDir, cgroup) ? 'supervisor' : 'task';
    this.record('task_kill', `${byCgroup.get(cgroup) ?? cgroup} pid ${pid} (${role})`);
    return true;
  }

  private async inject(kind: FaultKind): Promise<void> {
    const c = this.cluster;
    switch (kind) {
      case 'controller_kill':
        await c.controller.kill();
        this.record(kind);
        await sleep(this.downtime());
        c.controller.start();
        await c.controllerReady();
        return;
      case 'agent_kill':
        await c.agent.kill();
        this.record(kind, this.partitioned ? 'while partitioned' : undefined);
        await sleep(this.downtime());
        c.agent.start();
        return;
      case 'framework_kill':
        await c.batch.kill();
        this.record(kind, 'batch framework');
        await sleep(this.downtime());
        c.batch.start();
        return;
      case 'task_kill':
        // Between faults every task can be down at once (e.g. an App's instances being
        // replaced after a partition): wait for one to come up rather than lose the fault.
        for (let tries = 0; tries < 20; tries++) {
          if (this.killTask()) return;
          await sleep(500);
        }
        this.note('fault task_kill skipped: no task process alive for 10 s');
        return;
      case 'agent_partition': {
        c.agent.freeze();
        this.record(kind, `SIGSTOP for ${this.cfg.partitionMs} ms, then SIGCONT`);
        this.thawAt = Date.now() + this.cfg.partitionMs;
        this.thawTimer = setTimeout(() => {
          c.agent.thaw();
        }, this.cfg.partitionMs);
        return;
      }
    }
  }

  /**
   * Injects faults for `chaosMs` after `t0`, and on while `workLeft()` says the workload
   * is not done, up to `chaosMaxMs`; does the workload's events when due.
   */
  async run(t0: number, events: TimedEvent[], workLeft: () => boolean): Promise<void> {
    const pending = [...events].sort((a, b) => a.atMs - b.atMs);
    const going = () => {
      const elapsed = Date.now() - t0;
      return elapsed < this.cfg.chaosMs || (elapsed < this.cfg.chaosMaxMs && workLeft());
    };
    while (going()) {
      await sleep(this.rng.between(this.cfg.faultGapMs[0], this.cfg.faultGapMs[1]));
      while (pending[0] && Date.now() - t0 >= pending[0].atMs) {
        const e = pending.shift();
        if (!e) break;
        this.note(`workload: ${e.name}`);
        await e.run();
        this.events.push({ name: e.name, at: Date.now() });
      }
      this.cluster.restartCrashed();
      if (!going()) break;
      const kind = this.nextKind();
      if (kind) await this.inject(kind);
    }
    for (const e of pending) {
      await e.run();
      this.events.push({ name: e.name, at: Date.now() });
    }
  }

  /** Ends the chaos: lets a partition run its course, then starts whatever is down. */
  async stop(): Promise<void> {
    if (this.partitioned) await sleep(Math.max(0, this.thawAt - Date.now()));
    if (this.thawTimer) clearTimeout(this.thawTimer);
    this.cluster.agent.thaw();
    this.cluster.restartCrashed();
    await this.cluster.controllerReady();
  }

  /** How many faults of each kind were injected. */
  counts(): Record<FaultKind, number> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const f of this.log) out[f.kind]++;
    return out;
  }
}
