/**
 * The status update manager (Mesos' TaskStatusUpdateManager). Per task, a stream of
 * updates with sequence numbers 1, 2, 3…; each update is appended to the task's fsync'd
 * log *before* it is sent; only the oldest unacknowledged update of a task is in flight;
 * it is resent until the controller acknowledges its uuid — first after the configured
 * minimum or a margin over the measured acknowledgement latency, whichever is longer,
 * then doubling up to the maximum (ack-latency.ts) — and the acknowledgement is logged
 * (written, not fsync'd: see acknowledge()) before the next update goes out. Acknowledgements for any
 * uuid other than the head of the stream (duplicates, stale, unknown) are ignored, so an
 * update is never acknowledged twice.
 *
 * Log format (one JSON object per line): `{"u":{...update}}` for an update,
 * `{"a":"<uuid hex>"}` for an acknowledgement. A torn last line (crash mid-append) is
 * ignored on replay: the update it held was never sent.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { AppendLog } from './fsutil.js';
import { AckLatency } from './ack-latency.js';
import type { TaskStatus } from '../gen/mezzo/v1/TaskStatus.js';
import type { TaskState__Output } from '../gen/mezzo/v1/TaskState.js';
import type { StatusReason__Output } from '../gen/mezzo/v1/StatusReason.js';

/** One status update as stored in the log. */
export interface StoredUpdate {
  taskId: string;
  frameworkId: string;
  state: TaskState__Output;
  reason: StatusReason__Output;
  message: string;
  /** Hex of the 16-byte uuid. */
  uuid: string;
  sequence: number;
  /** Seconds since the epoch. */
  timestamp: number;
  healthy?: boolean;
  exitCode?: number;
}

/** What a caller supplies for a new update. */
export type NewUpdate = Pick<StoredUpdate, 'state'> &
  Partial<Pick<StoredUpdate, 'reason' | 'message' | 'healthy' | 'exitCode'>>;

const TERMINAL: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Whether a task state is terminal. */
export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

/** Converts a stored update to the wire form. */
export function toProto(u: StoredUpdate, agentId: string): TaskStatus {
  return {
    task_id: u.taskId,
    framework_id: u.frameworkId,
    agent_id: agentId,
    state: u.state,
    reason: u.reason,
    message: u.message,
    source: 'SOURCE_AGENT',
    timestamp: u.timestamp,
    uuid: Buffer.from(u.uuid, 'hex'),
    sequence: u.sequence,
    ...(u.healthy !== undefined ? { healthy: u.healthy } : {}),
    ...(u.exitCode !== undefined ? { exit_code: u.exitCode } : {}),
  };
}

interface Stream {
  taskId: string;
  frameworkId: string;
  log: UpdateLog;
  nextSeq: number;
  /** Unacknowledged updates, oldest first. */
  pending: StoredUpdate[];
  /** Updates made but not yet on disk (so not yet in `pending`). */
  writing: number;
  latest: StoredUpdate | undefined;
  /** Serialises log writes and sends for this task. */
  chain: Promise<void>;
  timer: Timer | undefined;
  attempt: number;
  /** uuid of the head currently on the wire (for retry accounting). */
  inFlight: string | undefined;
  /** When the head was first sent on the current connection. */
  sentAt: number | undefined;
}

/** Longest status message an agent sends; a longer one is cut (the controller refuses huge ones). */
export const MAX_MESSAGE_CHARS = 4096;

/** Where a task's updates and acknowledgements are appended ({@link AppendLog} on disk). */
export interface UpdateLog {
  /**
   * Appends one line; resolves once it is durable, or (`sync` false) once written
   * without waiting for the disk.
   */
  append(line: string, sync?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Callbacks into the agent. */
export interface UpdateSink {
  /** Sends the update if connected; returns false when it could not be sent now. */
  send(update: StoredUpdate): boolean;
  /** Called after a terminal update was acknowledged (the task can be cleaned up). */
  onTerminalAcked?(taskId: string): void;
  onRetry?(): void;
}

/** The manager; one per agent. */
export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();
  private readonly latency: AckLatency;
  /** Sum of every stream's `pending.length`, kept as they change (read after each update). */
  private pendingTotal = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sink: UpdateSink,
    private readonly logger: Logger,
    retryMinMs: number,
    retryMaxMs: number,
    /** Opens a task's log (simulated agents keep none). */
    private readonly openLog: (path: string) => UpdateLog = (path) => new AppendLog(path),
  ) {
    this.latency = new AckLatency(retryMinMs, retryMaxMs);
  }

  /** The smoothed time from sending an update to its acknowledgement, once measured. */
  get ackLatencyMs(): number | undefined {
    return this.latency.smoothedMs;
  }

  /** Opens (or creates) the stream of a task whose log lives at `logPath`. */
  open(taskId: string, frameworkId: string, logPath: string): void {
    if (this.streams.has(taskId)) return;
    this.streams.set(taskId, {
      taskId,
      frameworkId,
      log: this.openLog(logPath),
      nextSeq: 1,
      pending: [],
      writing: 0,
      latest: undefined,
      chain: Promise.resolve(),
      timer: undefined,
      attempt: 0,
      inFlight: undefined,
      sentAt: undefined,
    });
  }

  /** Replays a task's log after a restart: sequence, latest update, unacked updates. */
  async recover(taskId: string, frameworkId: string, logPath: string): Promise<void> {
    this.open(taskId, frameworkId, logPath);
    const s = this.stream(taskId);
    let text = '';
    try {
      text = await fsp.readFile(logPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line) continue;
      let rec: { u?: StoredUpdate; a?: string };
      try {
        rec = JSON.parse(line) as { u?: StoredUpdate; a?: string };
      } catch {
        if (i < lines.length - 2) {
          this.logger.warn('corrupt status update log line skipped', { taskId, line: i });
        }
        continue;
      }
      if (rec.u) {
        s.pending.push(rec.u);
        this.pendingTotal++;
        s.latest = rec.u;
        s.nextSeq = Math.max(s.nextSeq, rec.u.sequence + 1);
      } else if (rec.a) {
        const head = s.pending[0];
        if (head?.uuid === rec.a) {
          s.pending.shift();
          this.pendingTotal--;
        }
      }
    }
  }

  /** Task ids with a stream. */
  taskIds(): string[] {
    return [...this.streams.keys()];
  }

  /** The latest update generated for a task. */
  latest(taskId: string): StoredUpdate | undefined {
    return this.streams.get(taskId)?.latest;
  }

  /** Unacknowledged updates of a task, oldest first. */
  pending(taskId: string): readonly StoredUpdate[] {
    return this.streams.get(taskId)?.pending ?? [];
  }

  /** Total unacknowledged updates. */
  pendingCount(): number {
    return this.pendingTotal;
  }

  /**
   * True when the task's terminal update was acknowledged: it is terminal, and no update
   * of it waits for an acknowledgement or for its write to the log. (While a terminal
   * update is being written, it is in neither the log nor `pending`; a re-registration
   * that took the task for settled then dropped it, and the controller declared it
   * TASK_GONE before its TASK_FINISHED arrived — the soak's conflicting final states.)
   */
  isDone(taskId: string): boolean {
    const s = this.streams.get(taskId);
    if (!s) return true;
    return (
      s.pending.length === 0 &&
      s.writing === 0 &&
      s.latest !== undefined &&
      isTerminal(s.latest.state)
    );
  }

  /**
   * Records a new update: assigns the next sequence and a fresh uuid, appends it durably,
   * and sends it if it is the head of the task's stream. Resolves once it is on disk.
   */
  update(taskId: string, u: NewUpdate): Promise<StoredUpdate> {
    const s = this.stream(taskId);
    const stored: StoredUpdate = {
      taskId,
      frameworkId: s.frameworkId,
      state: u.state,
      reason: u.reason ?? 'REASON_UNSPECIFIED',
      message: (u.message ?? '').slice(0, MAX_MESSAGE_CHARS),
      uuid: randomUUID().replace(/-/g, ''),
      sequence: s.nextSeq++,
      timestamp: this.clock.now() / 1000,
      ...(u.healthy !== undefined ? { healthy: u.healthy } : {}),
      ...(u.exitCode !== undefined ? { exitCode: u.exitCode } : {}),
    };
    s.latest = stored;
    s.writing++;
    const done = s.chain.then(async () => {
      try {
        await s.log.append(JSON.stringify({ u: stored }));
      } finally {
        s.writing--;
      }
      s.pending.push(stored);
      this.pendingTotal++;
      if (s.pending.length === 1) this.sendHead(s);
    });
    s.chain = done.catch((err: unknown) => {
      this.logger.error('status update could not be persisted', { taskId, err });
    });
    return done.then(() => stored);
  }

  /**
   * Handles an acknowledgement. Only the head of the task's stream can be acknowledged;
   * anything else is a duplicate or stale and ignored. Resolves true when it took effect.
   */
  acknowledge(taskId: string, uuidHex: string): Promise<boolean> {
    const s = this.streams.get(taskId);
    if (!s) return Promise.resolve(false);
    const done = s.chain.then(async () => {
      const head = s.pending[0];
      if (head?.uuid !== uuidHex) return false;
      // Not fsync'd: the next update's fdatasync makes it durable. Lost in a machine crash,
      // the update is sent again after the restart and the controller drops it by uuid.
      await s.log.append(JSON.stringify({ a: uuidHex }), false);
      if (s.sentAt !== undefined) this.latency.observe(this.clock.now() - s.sentAt);
      s.pending.shift();
      this.pendingTotal--;
      s.timer?.cancel();
      s.timer = undefined;
      s.attempt = 0;
      s.inFlight = undefined;
      s.sentAt = undefined;
      if (s.pending.length > 0) this.sendHead(s);
      else if (isTerminal(head.state)) this.sink.onTerminalAcked?.(taskId);
      return true;
    });
    s.chain = done.then(
      () => undefined,
      (err: unknown) => {
        this.logger.error('acknowledgement could not be persisted', { taskId, err });
      },
    );
    return done;
  }

  /** Resends the head of every stream now (after (re)registration). */
  flush(): void {
    for (const s of this.streams.values()) {
      s.attempt = 0;
      s.timer?.cancel();
      s.timer = undefined;
      // A new connection: latency counts from this send.
      s.sentAt = undefined;
      if (s.pending.length > 0) this.sendHead(s);
    }
  }

  /** Drops a finished task's stream and closes its log. */
  async close(taskId: string): Promise<void> {
    const s = this.streams.get(taskId);
    if (!s) return;
    this.streams.delete(taskId);
    s.timer?.cancel();
    await s.chain;
    // After the chain: an update written meanwhile was counted when it landed.
    this.pendingTotal -= s.pending.length;
    await s.log.close();
  }

  /** Closes every log and cancels timers. */
  async stop(): Promise<void> {
    for (const id of [...this.streams.keys()]) await this.close(id);
  }

  private stream(taskId: string): Stream {
    const s = this.streams.get(taskId);
    if (!s) throw new Error(`no status update stream for task ${taskId}`);
    return s;
  }

  private sendHead(s: Stream): void {
    const head = s.pending[0];
    if (!head) return;
    if (s.inFlight === head.uuid) this.sink.onRetry?.();
    s.inFlight = head.uuid;
    const sent = this.sink.send(head);
    s.timer?.cancel();
    s.timer = undefined;
    if (!sent) return; // flush() on reconnect sends it
    const now = this.clock.now();
    s.sentAt ??= now;
    const attempt = s.attempt++;
    this.armResend(s, head.uuid, now, attempt);
  }

  /**
   * Resends the head once the wait for `attempt` has passed since `sentAt`. The wait is
   * computed again when the timer fires: acknowledgements measured meanwhile (a burst of
   * updates all sent before the first was acknowledged) may ask for a longer one.
   */
  private armResend(s: Stream, uuid: string, sentAt: number, attempt: number): void {
    const wait = sentAt + this.latency.resendAfterMs(attempt) - this.clock.now();
    s.timer = this.clock.setTimer(Math.max(0, wait), () => {
      s.timer = undefined;
      if (s.pending[0]?.uuid !== uuid) return;
      if (sentAt + this.latency.resendAfterMs(attempt) > this.clock.now())
        this.armResend(s, uuid, sentAt, attempt);
      else this.sendHead(s);
    });
  }
}
