/**
 * Telling a schedule's owner that something went wrong: always a log line and an Event
 * on the Schedule (a Kubernetes Event in a cluster, a log line in dev), and a JSON POST
 * to the owner's webhook when one is given. A webhook that is down must never hold up
 * scheduling, so delivery is fire-and-forget with a timeout, and its failure is logged.
 */
import type { RecordEvent } from '../../controller/controller.js';
import type { Logger } from '../../shared/logger.js';

/** What a failure notification says (also the webhook's JSON body). */
export interface FailureNotice {
  schedule: string;
  namespace: string;
  owner?: string;
  runId: string;
  taskId: string;
  attempts: number;
  result: string;
  message: string;
  scheduledTime: string;
  finishedAt: string;
}

/** Settings for {@link OwnerNotifier}. */
export interface OwnerNotifierOptions {
  logger: Logger;
  recordEvent?: RecordEvent;
  /** How long a webhook may take (default 5 s). */
  webhookTimeoutMs?: number;
}

/** Sends owner notifications and schedule events. */
export class OwnerNotifier {
  /** Webhook deliveries in flight, so that tests and shutdown can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: OwnerNotifierOptions) {}

  /** An event on the Schedule plus a log line. */
  event(
    target: { name: string; namespace: string },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    this.opts.logger.log(type === 'Warning' ? 'warn' : 'info', message, {
      event: reason,
      schedule: `${target.namespace}/${target.name}`,
    });
    this.opts.recordEvent?.(
      { kind: 'Schedule', name: target.name, namespace: target.namespace },
      type,
      reason,
      message,
    );
  }

  /** A run failed for good (retries exhausted): event, log line and webhook. */
  failure(notice: FailureNotice, webhook: string | undefined): void {
    const who = notice.owner ? ` (owner ${notice.owner})` : '';
    this.event(
      { name: notice.schedule, namespace: notice.namespace },
      'Warning',
      'ScheduleFailed',
      `schedule ${notice.namespace}/${notice.schedule} run ${notice.runId} failed after ${notice.attempts} attempt(s)${who}: ${notice.message || notice.result}`,
    );
    if (webhook === undefined) return;
    const p = this.post(webhook, notice);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every webhook delivery started so far has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async post(url: string, notice: FailureNotice): Promise<void> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(this.opts.webhookTimeoutMs ?? 5_000),
      });
      await res.arrayBuffer();
      if (!res.ok) {
        this.opts.logger.warn('owner webhook answered with an error', {
          url,
          status: res.status,
          schedule: `${notice.namespace}/${notice.schedule}`,
        });
      }
    } catch (err) {
      this.opts.logger.warn('owner webhook failed', {
        url,
        error: err instanceof Error ? err.message : String(err),
        schedule: `${notice.namespace}/${notice.schedule}`,
      });
    }
  }
}
