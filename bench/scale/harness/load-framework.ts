/**
 * One framework of the scale bench (the Mesos paper's load): it keeps `concurrency`
 * tasks wanted or running at all times; each task runs for a duration drawn from a normal
 * distribution (on simulated agents, through the `sim.mezzo.dev/duration` label), and when
 * one ends the next is wanted at once. Every offer is used for as many wanted tasks as it
 * fits; the rest are declined together with Mesos' default 5 s filter (with `suppress`, the
 * framework also suppresses offers while it wants nothing and revives when it wants a task,
 * as Mesos advises frameworks to). The launch overhead of a
 * task is the time from the framework wanting it to its TASK_RUNNING.
 */
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import type { Operation } from '../../../src/gen/mezzo/v1/Operation.js';
import { DURATION_LABEL } from '../../../src/sim/sim-task.js';

/** The shape of every bench task. */
export const TASK = { cpus: 1, mem: 512 };

/** Draws from N(mean, sd) (Box–Muller), never below `min`. */
export function normal(mean: number, sd: number, min: number): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return Math.max(min, mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

interface Want {
  readonly id: string;
  readonly wantedAt: number;
  readonly seconds: number;
  /** When an offer it fits was answered with its launch. */
  placedAt?: number;
}

/** What a load framework measured. */
export interface LoadSample {
  /** Launch overheads (ms) of tasks that reached RUNNING while recording. */
  readonly overheads: number[];
  /** Of each overhead, the part spent waiting for an offer (want → accept sent). */
  readonly offerWaits: number[];
  /** Of each overhead, the rest (accept sent → TASK_RUNNING received). */
  readonly acceptToRunning: number[];
  launched: number;
  finished: number;
}

function scalar(o: Offer__Output, name: string): number {
  return o.resources.filter((r) => r.name === name).reduce((n, r) => n + r.scalar, 0);
}

/** One bench framework. */
export class LoadFramework {
  readonly client: SchedulerClient;
  private readonly wants: Want[] = [];
  private readonly inflight = new Map<string, Want>();
  private readonly running = new Set<string>();
  private next = 0;
  private stopped = false;
  /** What is measured while {@link LoadFramework.recording}. */
  sample: LoadSample = {
    overheads: [],
    offerWaits: [],
    acceptToRunning: [],
    launched: 0,
    finished: 0,
  };
  recording = false;

  constructor(
    address: string,
    private readonly index: number,
    private readonly concurrency: number,
    private readonly meanS: number,
    private readonly sdS: number,
    /** Suppress offers while nothing is wanted, revive when something is (Mesos' advice). */
    private readonly suppress = false,
  ) {
    this.client = new SchedulerClient({
      address,
      framework: {
        name: `scale-${String(index)}`,
        user: 'nobody',
        roles: ['scale'],
        failover_timeout_seconds: 600,
      },
    });
    this.client.on('offers', (offers: Offer__Output[]) => this.onOffers(offers));
    this.client.on('update', (s: { task_id: string; state: string }) => this.onUpdate(s));
  }

  /** Subscribes and wants its first tasks. */
  async start(): Promise<void> {
    await this.client.start();
    for (let i = 0; i < this.concurrency; i++) this.want();
    this.syncWants();
  }

  /** With `suppress`: offers only while a task is wanted. */
  private syncWants(): void {
    if (this.suppress) this.client.wantOffers(this.wants.length > 0).catch(() => undefined);
  }

  /** Tasks known running now (for reconciliation after a restart). */
  runningTasks(): string[] {
    return [...this.running];
  }

  /** Stops wanting tasks and closes the client. */
  close(): void {
    this.stopped = true;
    this.client.close();
  }

  private want(): void {
    if (this.stopped) return;
    this.wants.push({
      id: `f${String(this.index)}-t${String(this.next++)}`,
      wantedAt: Date.now(),
      seconds: normal(this.meanS, this.sdS, 0.1),
    });
  }

  private onOffers(offers: Offer__Output[]): void {
    // Unused offers are declined in one call, as a framework holding many offers should.
    const unused: string[] = [];
    for (const o of offers) {
      let cpus = scalar(o, 'cpus');
      let mem = scalar(o, 'mem');
      const ops: Operation[] = [];
      while (this.wants.length > 0 && cpus >= TASK.cpus && mem >= TASK.mem) {
        const w = this.wants.shift();
        if (!w) break;
        cpus -= TASK.cpus;
        mem -= TASK.mem;
        w.placedAt = Date.now();
        this.inflight.set(w.id, w);
        ops.push({
          type: 'LAUNCH',
          tasks: [
            {
              task_id: w.id,
              name: w.id,
              agent_id: o.agent_id,
              command: { shell: true, value: 'true' },
              labels: { [DURATION_LABEL]: w.seconds.toFixed(3) },
              resources: [
                { name: 'cpus', type: 'SCALAR', scalar: TASK.cpus },
                { name: 'mem', type: 'SCALAR', scalar: TASK.mem },
              ],
            },
          ],
        });
      }
      if (ops.length > 0) this.client.accept([o.id], ops, 5).catch(() => undefined);
      else unused.push(o.id);
    }
    if (unused.length > 0) this.client.decline(unused, 5).catch(() => undefined);
    this.syncWants();
  }

  private onUpdate(s: { task_id: string; state: string }): void {
    const w = this.inflight.get(s.task_id);
    if (!w) return;
    if (s.state === 'TASK_RUNNING') {
      if (this.running.has(s.task_id)) return;
      this.running.add(s.task_id);
      if (this.recording) {
        const now = Date.now();
        const placed = w.placedAt ?? now;
        this.sample.overheads.push(now - w.wantedAt);
        this.sample.offerWaits.push(placed - w.wantedAt);
        this.sample.acceptToRunning.push(now - placed);
        this.sample.launched++;
      }
      return;
    }
    if (s.state === 'TASK_STAGING' || s.state === 'TASK_STARTING') return;
    // Terminal (or lost): the next task is wanted at once.
    this.inflight.delete(s.task_id);
    this.running.delete(s.task_id);
    if (this.recording) this.sample.finished++;
    this.want();
    this.syncWants();
  }
}
