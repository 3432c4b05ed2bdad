/**
 * A small batch engine in the spirit of Spark on Mesos, built on the Mezzo SDK: a job is
 * split into one short task per input shard; each task fetches its shard into its
 * sandbox (a URI), counts words with awk and writes a part file atomically. The framework
 * prefers agents in the shard's zone (delay scheduling: wait `localityWaitMs` for a local
 * offer, then take any), retries failed tasks up to `maxAttempts`, survives controller
 * restarts (the SDK resubscribes and reconciles), and checks the merged result against a
 * count it makes itself. Outside this repository, import from 'mezzo/sdk'.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  OfferMatcher,
  SchedulerClient,
  commandTask,
  launch,
  type Offer,
  type Operation,
  type Resource,
  type TaskInfo,
  type TaskStatus,
} from '../../src/sdk/index.js';

/** One input shard and the zone that holds its data. */
export interface Shard {
  id: string;
  /** Absolute path of the shard (fetched into the task's sandbox). */
  path: string;
  zone: string;
}

/** Settings for {@link WordCountJob}. */
export interface WordCountOptions {
  /** Controller gRPC address, or every replica's (the client follows a failover). */
  controller: string | string[];
  /** PEM of the CA the controller's certificate chains to: connect over TLS. */
  ca?: Buffer;
  /** With {@link ca}: the name in the certificate (e.g. the chart's Service name). */
  serverName?: string;
  shards: Shard[];
  /** Directory (shared by the agents) that receives part files. */
  outDir: string;
  role?: string;
  cpus?: number;
  mem?: number;
  /** How long a task waits for an offer in its shard's zone before taking any. */
  localityWaitMs?: number;
  /** Attempts per shard before the job fails (Spark's spark.task.maxFailures). */
  maxAttempts?: number;
  /** Shards whose first attempt fails on purpose, to show retries. */
  flaky?: ReadonlySet<string>;
  /** Seconds each task sleeps before counting, to make the job long enough to watch. */
  taskDelaySeconds?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What a finished job reports. */
export interface JobResult {
  ok: boolean;
  words: number;
  distinct: number;
  tasksLaunched: number;
  retries: number;
  /** Tasks placed on an agent in their shard's zone, and elsewhere. */
  local: number;
  nonLocal: number;
  /** Subscriptions after the first: controller restarts or failovers lived through. */
  resubscriptions: number;
  seconds: number;
  /** Set when the job failed: why. */
  error?: string;
}

type ShardState =
  | { phase: 'waiting'; since: number }
  | { phase: 'running'; taskId: string; agentId: string }
  | { phase: 'done' };

const FAILED = new Set([
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  // Reconciliation's answer when no agent reports the task after a controller restart.
  'TASK_UNKNOWN',
]);

/** Counts words as the tasks' awk does: lower case, runs of a–z. */
export function countWords(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().split(/[^a-z]+/)) {
    if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

// Fails the first attempt of flaky shards, then counts into a temp file and renames it, so
// a killed or retried task never leaves a partial part file.
const TASK_SCRIPT = [
  'if [ "$WC_FLAKY" = 1 ] && [ "$WC_ATTEMPT" = 1 ]; then echo "simulated failure" >&2; exit 3; fi',
  'sleep "$WC_DELAY"',
  `awk '{ n = split(tolower($0), w, /[^a-z]+/); for (i = 1; i <= n; i++) if (w[i] != "") c[w[i]]++ } END { for (k in c) print k, c[k] }' "$WC_INPUT" > "$WC_OUT.tmp.$$"`,
  'mv "$WC_OUT.tmp.$$" "$WC_OUT"',
].join('\n');

/** One run of a word-count job. */
export class WordCountJob {
  private readonly state = new Map<string, ShardState>();
  private readonly attempts = new Map<string, number>();
  private readonly byTask = new Map<string, string>();
  private readonly client: SchedulerClient;
  private readonly zones = new Set<string>();
  private launched = 0;
  private retries = 0;
  private local = 0;
  private nonLocal = 0;
  private subscriptions = 0;
  private ended = false;
  private finish: ((error?: string) => void) | undefined;

  constructor(private readonly opts: WordCountOptions) {
    const now = Date.now();
    for (const s of opts.shards) this.state.set(s.id, { phase: 'waiting', since: now });
    this.client = new SchedulerClient({
      address: opts.controller,
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.serverName ? { serverName: opts.serverName } : {}),
      framework: {
        name: 'wordcount',
        user: 'nobody',
        roles: [opts.role ?? 'default'],
        failover_timeout_seconds: 300,
        checkpoint: true,
      },
      // After a restart the controller may not know a task yet: ask about ours by name.
      knownTasks: () => this.running().map((r) => ({ task_id: r.taskId, agent_id: r.agentId })),
    });
    this.client.on('subscribed', () => {
      this.subscriptions++;
      if (this.subscriptions > 1) this.log(`resubscribed as ${this.client.id}`);
    });
    this.client.on('offers', (offers) => {
      this.onOffers(offers).catch((err: unknown) => {
        this.log(`offer handling failed: ${String(err)}`);
      });
    });
    this.client.on('update', (status) => {
      this.onUpdate(status);
    });
  }

  /** Runs the job to the end and checks its result. */
  async run(): Promise<JobResult> {
    const started = Date.now();
    const done = new Promise<string | undefined>((resolve) => {
      this.finish = resolve;
    });
    await this.client.start();
    this.log(`subscribed as ${this.client.id}; ${this.opts.shards.length} shards`);
    const error = await done;
    this.ended = true;
    await this.client.teardown().catch(() => undefined);
    this.client.close();
    const base = {
      tasksLaunched: this.launched,
      retries: this.retries,
      local: this.local,
      nonLocal: this.nonLocal,
      resubscriptions: Math.max(0, this.subscriptions - 1),
      seconds: (Date.now() - started) / 1000,
    };
    if (error) return { ok: false, words: 0, distinct: 0, ...base, error };
    return { ...this.check(), ...base };
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private running(): { taskId: string; agentId: string }[] {
    return [...this.state.values()].flatMap((s) => (s.phase === 'running' ? [s] : []));
  }

  private async onOffers(offers: Offer[]): Promise<void> {
    if (this.ended) return;
    for (const o of offers) {
      const zone = o.attributes.find((a) => a.name === 'zone')?.text;
      if (zone) this.zones.add(zone);
    }
    const wait = this.opts.localityWaitMs ?? 3000;
    for (const offer of offers) {
      const matcher = new OfferMatcher(offer);
      const ops: Operation[] = [];
      for (const shard of this.opts.shards) {
        const st = this.state.get(shard.id);
        if (st?.phase !== 'waiting') continue;
        const isLocal = matcher.agent.attributes.zone === shard.zone;
        // Delay scheduling: hold out for a local agent while one exists and the wait lasts.
        if (!isLocal && this.zones.has(shard.zone) && Date.now() - st.since < wait) continue;
        const fit = matcher.take({ cpus: this.opts.cpus ?? 0.25, mem: this.opts.mem ?? 32 });
        if (!fit.ok) break;
        ops.push(launch(this.task(shard, offer, fit.resources)));
        if (isLocal) this.local++;
        else this.nonLocal++;
      }
      if (ops.length > 0) await this.client.accept([offer.id], ops, 1);
      else await this.client.decline([offer.id], 1);
    }
    await this.updateInterest();
  }

  private task(shard: Shard, offer: Offer, resources: Resource[]): TaskInfo {
    const attempt = (this.attempts.get(shard.id) ?? 0) + 1;
    this.attempts.set(shard.id, attempt);
    const taskId = `wordcount-${shard.id}-${attempt}-${Math.random().toString(36).slice(2, 8)}`;
    this.state.set(shard.id, { phase: 'running', taskId, agentId: offer.agent_id });
    this.byTask.set(taskId, shard.id);
    this.launched++;
    this.log(`launch ${shard.id} (attempt ${attempt}) on ${offer.hostname}`);
    return commandTask({
      taskId,
      name: `wordcount-${shard.id}`,
      agentId: offer.agent_id,
      resources,
      command: TASK_SCRIPT,
      uris: [{ value: shard.path, outputFile: 'input.txt' }],
      env: {
        WC_INPUT: 'input.txt',
        WC_OUT: join(this.opts.outDir, `part-${shard.id}`),
        WC_ATTEMPT: String(attempt),
        WC_FLAKY: this.opts.flaky?.has(shard.id) ? '1' : '0',
        WC_DELAY: String(this.opts.taskDelaySeconds ?? 0),
      },
    });
  }

  private onUpdate(status: TaskStatus): void {
    const shardId = this.byTask.get(status.task_id);
    const st = shardId ? this.state.get(shardId) : undefined;
    if (!shardId || st?.phase !== 'running' || st.taskId !== status.task_id) return;
    if (status.state === 'TASK_FINISHED') {
      this.state.set(shardId, { phase: 'done' });
      this.log(`done ${shardId}`);
    } else if (FAILED.has(status.state)) {
      const attempts = this.attempts.get(shardId) ?? 0;
      const max = this.opts.maxAttempts ?? 4;
      this.log(`${shardId} attempt ${attempts}: ${status.state} ${status.message}`);
      if (attempts >= max) {
        this.finish?.(`shard ${shardId} failed ${attempts} times; last: ${status.message}`);
        return;
      }
      this.retries++;
      this.state.set(shardId, { phase: 'waiting', since: Date.now() });
      this.updateInterest().catch(() => undefined);
    }
    if ([...this.state.values()].every((s) => s.phase === 'done')) this.finish?.();
  }

  // Offers only while a shard waits.
  private async updateInterest(): Promise<void> {
    await this.client.wantOffers([...this.state.values()].some((s) => s.phase === 'waiting'));
  }

  // The merged part files must equal a count of the inputs made here.
  private check(): Pick<JobResult, 'ok' | 'words' | 'distinct' | 'error'> {
    const expected = countWords(
      this.opts.shards.map((s) => readFileSync(s.path, 'utf8')).join('\n'),
    );
    const got = new Map<string, number>();
    for (const s of this.opts.shards) {
      const part = readFileSync(join(this.opts.outDir, `part-${s.id}`), 'utf8');
      for (const line of part.split('\n')) {
        const [w, n] = line.split(' ');
        if (w && n) got.set(w, (got.get(w) ?? 0) + Number(n));
      }
    }
    let words = 0;
    for (const n of got.values()) words += n;
    const wrong = [...expected].filter(([w, n]) => got.get(w) !== n).map(([w]) => w);
    if (wrong.length > 0 || got.size !== expected.size) {
      return {
        ok: false,
        words,
        distinct: got.size,
        error: `result differs from the inputs' count for: ${wrong.slice(0, 5).join(', ') || '(extra words)'}`,
      };
    }
    return { ok: true, words, distinct: got.size };
  }
}
