/**
 * The batch framework's own record of what it did and heard, one JSON object per line,
 * appended synchronously before the framework acts on it (a launch is written before the
 * ACCEPT, an update before its acknowledgement), so a SIGKILL loses nothing it reported.
 * The harness reads the same file for the oracle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';

/** A record line. */
export type BatchRecord =
  /** About to launch task `id` (the `index`-th of the job). */
  | { t: 'launch'; id: string; index: number; at: number }
  /** The ACCEPT that carried the launch answered OK (`ok`) or failed. */
  | { t: 'accept'; id: string; ok: boolean; error?: string; at: number }
  /** An update delivered to the framework (uuid hex: '' for reconciliation answers). */
  | { t: 'update'; id: string; state: string; uuid: string; reason: string; at: number }
  /** Subscribed (after its own start, or again after a controller restart). */
  | { t: 'subscribed'; frameworkId: string; pid: number; at: number };

/** One task as the batch framework's records tell it. */
export interface BatchTask {
  id: string;
  index: number;
  launchedAt: number;
  /** undefined: no answer recorded (killed between launch and accept reply). */
  accepted?: boolean;
  acceptError?: string;
  /** Every update delivered, in order. */
  deliveries: { state: string; uuid: string; reason: string; at: number }[];
}

/** Everything the batch framework recorded. */
export interface BatchLog {
  tasks: Map<string, BatchTask>;
  subscriptions: number;
  frameworkId: string;
}

/** Parses the records file (a torn last line from a SIGKILL mid-write is skipped). */
export function readBatchLog(file: string): BatchLog {
  const log: BatchLog = { tasks: new Map(), subscriptions: 0, frameworkId: '' };
  if (!existsSync(file)) return log;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let r: BatchRecord;
    try {
      r = JSON.parse(line) as BatchRecord;
    } catch {
      continue;
    }
    if (r.t === 'subscribed') {
      log.subscriptions++;
      log.frameworkId = r.frameworkId || log.frameworkId;
    } else if (r.t === 'launch') {
      log.tasks.set(r.id, { id: r.id, index: r.index, launchedAt: r.at, deliveries: [] });
    } else {
      const task = log.tasks.get(r.id);
      if (r.t === 'accept' && task) {
        task.accepted = r.ok;
        if (r.error !== undefined) task.acceptError = r.error;
      } else if (r.t === 'update') {
        // An update for a task not launched by this log (should not happen) still counts.
        const t = task ?? { id: r.id, index: -1, launchedAt: r.at, deliveries: [] };
        log.tasks.set(r.id, t);
        t.deliveries.push({ state: r.state, uuid: r.uuid, reason: r.reason, at: r.at });
      }
    }
  }
  return log;
}

/** The first final state delivered for a task, if any. */
export function firstFinal(t: BatchTask): string | undefined {
  return t.deliveries.find((d) => isTerminal(d.state))?.state;
}

/** The distinct final states delivered for a task. */
export function finalStates(t: BatchTask): string[] {
  return [...new Set(t.deliveries.filter((d) => isTerminal(d.state)).map((d) => d.state))];
}
