/**
 * One framework of the held-tasks bench: it wants `want` long-running tasks (run time
 * `forever` on simulated agents) and places as many of them as each offer holds, every
 * task of one offer in one ACCEPT, until all are RUNNING; then it suppresses offers. It
 * keeps at most `maxInFlight` ACCEPTs unanswered (declining offers meanwhile, 1 s filter). A task
 * that ends (lost, killed) is wanted again, so the cluster keeps its target.
 */
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import type { TaskInfo } from '../../../src/gen/mezzo/v1/TaskInfo.js';
import { DURATION_LABEL } from '../../../src/sim/sim-task.js';
import { isTerminal } from '../../../src/controller/records.js';
import type { TaskState__Output } from '../../../src/gen/mezzo/v1/TaskState.js';

/** The shape of each held task. */
export interface TaskShape {
  readonly cpus: number;
  /** MiB. */
  readonly mem: number;
}

function scalar(o: Offer__Output, name: string): number {
  return o.resources.filter((r) => r.name === name).reduce((n, r) => n + r.scalar, 0);
}

/** One held-tasks framework. */
export class HeldFramework {
  readonly client: SchedulerClient;
  /** Tasks wanted and not yet placed. */
  wanted: number;
  /** Offers received, and ACCEPTs sent and not yet answered. */
  offersSeen = 0;
  acceptsInFlight = 0;
  private next = 0;
  private readonly placed = new Set<string>();
  private readonly running = new Set<string>();
  /** Tasks that ended and were wanted again. */
  relaunched = 0;
  /** Tasks whose ACCEPT was refused (their offer timed out first) and were wanted again. */
  refused = 0;
  /** When the last of its tasks became RUNNING (ms since the epoch; 0 before). */
  doneAt = 0;

  constructor(
    address: string,
    private readonly index: number,
    private readonly want: number,
    private readonly shape: TaskShape,
    /** ACCEPTs this framework keeps unanswered at most. */
    private readonly maxInFlight = 2,
  ) {
    this.wanted = want;
    this.client = new SchedulerClient({
      address,
      framework: {
        name: `held-${String(index)}`,
        user: 'nobody',
        roles: ['scale'],
        failover_timeout_seconds: 3600,
      },
    });
    this.client.on('offers', (offers: Offer__Output[]) => {
      this.onOffers(offers);
    });
    this.client.on('update', (s: { task_id: string; state: string }) => {
      this.onUpdate(s);
    });
  }

  /** Subscribes (offers come as soon as the controller has them). */
  async start(): Promise<void> {
    await this.client.start();
  }

  /** How many of its tasks are RUNNING now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Its RUNNING tasks' IDs (for reconciliation after a restart). */
  runningTasks(): string[] {
    return [...this.running];
  }

  close(): void {
    this.client.close();
  }

  private task(agentId: string): TaskInfo {
    const id = `h${String(this.index)}-t${String(this.next++)}`;
    this.placed.add(id);
    return {
      task_id: id,
      name: id,
      agent_id: agentId,
      command: { shell: true, value: 'true' },
      labels: { [DURATION_LABEL]: 'forever' },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: this.shape.cpus },
        { name: 'mem', type: 'SCALAR', scalar: this.shape.mem },
      ],
    };
  }

  private onOffers(offers: Offer__Output[]): void {
    const unused: string[] = [];
    this.offersSeen += offers.length;
    for (const o of offers) {
      let cpus = scalar(o, 'cpus');
      let mem = scalar(o, 'mem');
      const tasks: TaskInfo[] = [];
      // Back-pressure: ACCEPTs the controller has not answered yet are not added to; an
      // offer beyond them would wait in its queue past the offer's timeout.
      const room = this.acceptsInFlight < this.maxInFlight;
      while (room && this.wanted > 0 && cpus >= this.shape.cpus && mem >= this.shape.mem) {
        cpus -= this.shape.cpus;
        mem -= this.shape.mem;
        this.wanted--;
        tasks.push(this.task(o.agent_id));
      }
      if (tasks.length > 0) this.launch(o.id, tasks);
      else unused.push(o.id);
    }
    if (unused.length > 0) this.client.decline(unused, 1).catch(() => undefined);
    this.client.wantOffers(this.wanted > 0).catch(() => undefined);
  }

  /** One ACCEPT for every task an offer holds; refused (the offer gone), they are wanted again. */
  private launch(offerId: string, tasks: TaskInfo[]): void {
    this.acceptsInFlight++;
    const answered = () => this.acceptsInFlight--;
    this.client.accept([offerId], [{ type: 'LAUNCH', tasks }], 5).then(answered, () => {
      answered();
      for (const t of tasks) if (t.task_id !== undefined) this.placed.delete(t.task_id);
      this.refused += tasks.length;
      this.wanted += tasks.length;
      this.client.wantOffers(true).catch(() => undefined);
    });
  }

  private onUpdate(s: { task_id: string; state: string }): void {
    if (!this.placed.has(s.task_id)) return;
    if (s.state === 'TASK_RUNNING') {
      this.running.add(s.task_id);
      if (this.running.size === this.want && this.doneAt === 0) this.doneAt = Date.now();
      return;
    }
    if (!isTerminal(s.state as TaskState__Output)) {
      // Unreachable (its agent not back yet after a restart) is not ended: it may return.
      if (s.state !== 'TASK_STAGING' && s.state !== 'TASK_STARTING') this.running.delete(s.task_id);
      return;
    }
    // Ended: wanted again, so that the target stays held.
    this.placed.delete(s.task_id);
    this.running.delete(s.task_id);
    this.relaunched++;
    this.wanted++;
    this.client.wantOffers(true).catch(() => undefined);
  }
}
