/**
 * The dashboard-render bench's load: SDK frameworks that keep launching forever-running
 * simulated tasks until their share is RUNNING, with books of what they sent, what is
 * still unanswered and why launches had to be made again (printed with the figures).
 */
import type { Offer__Output } from '../../../src/gen/mezzo/v1/Offer.js';
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import { DURATION_LABEL } from '../../../src/sim/sim-task.js';

/** Roles the frameworks are spread over. */
export const ROLES = 20;

/** Why launches had to be made again, by reason (printed with the figures). */
export const relaunched = new Map<string, number>();

/** The launchers' own books, summed, for the progress lines. */
export const books = { sent: 0, pendingAccepts: 0, suppressed: 0, wanted: 0 };

function noteRelaunch(why: string, n: number): void {
  relaunched.set(why, (relaunched.get(why) ?? 0) + n);
}

/**
 * A framework that keeps launching forever-running simulated tasks until `count` of its
 * own are RUNNING, then suppresses. A launch counts only once its task is RUNNING: an
 * accept the controller rejects (its offer rescinded meanwhile) or a task that ends
 * (dropped, lost) is wanted again, and the framework revives if it had suppressed. The
 * previous version counted a task as launched when its accept was sent, so a rejected
 * accept left the bench waiting forever for tasks nobody launched.
 */
export function launcher(
  address: string,
  token: string,
  i: number,
  count: number,
): SchedulerClient {
  const fw = new SchedulerClient({
    address,
    token,
    framework: {
      id: '',
      name: `bench-${i}`,
      user: 'nobody',
      roles: [`role-${i % ROLES}`],
      failover_timeout_seconds: 600,
    },
  });
  let next = 0;
  const pending = new Set<string>();
  const running = new Set<string>();
  let wanted = count;
  let quiet = false;
  let inflight = 0;
  // Offers only while tasks are wanted. wantOffers, not suppress/revive: the client
  // tells the controller again after a failed call or a resubscription (a revive lost to
  // a dropped connection left frameworks suppressed while they still wanted tasks), and
  // the timer retries what failed.
  const sync = () => {
    // Not while its accepts are in flight: one may yet be rejected (its offer timed out
    // while the controller was busy), and its tasks are then wanted at once, without a
    // Revive first.
    if (wanted <= 0 && inflight > 0) return;
    if (quiet !== wanted <= 0) {
      quiet = wanted <= 0;
      books.suppressed += quiet ? 1 : -1;
    }
    fw.wantOffers(wanted > 0).catch(() => undefined);
  };
  setInterval(sync, 5000).unref();
  books.wanted += count;
  const want = (n: number, why: string) => {
    noteRelaunch(why, n);
    wanted += n;
    books.wanted += n;
    sync();
  };
  fw.on('update', (st: { task_id: string; state: string; reason?: string }) => {
    if (!pending.has(st.task_id) && !running.has(st.task_id)) return;
    if (st.state === 'TASK_RUNNING') {
      pending.delete(st.task_id);
      running.add(st.task_id);
    } else if (st.state !== 'TASK_STAGING' && st.state !== 'TASK_STARTING') {
      pending.delete(st.task_id);
      running.delete(st.task_id);
      want(1, `${st.state} ${st.reason ?? ''}`.trim());
    }
  });
  fw.on('offers', (offers: Offer__Output[]) => {
    const unused: string[] = [];
    for (const o of offers) {
      const room = Math.min(wanted, 10);
      if (room <= 0) {
        unused.push(o.id);
        continue;
      }
      wanted -= room;
      books.wanted -= room;
      books.sent += room;
      books.pendingAccepts++;
      inflight++;
      const tasks = Array.from({ length: room }, () => {
        const id = `b${i}-t${next++}`;
        pending.add(id);
        return {
          task_id: id,
          name: `bench-${id}`,
          agent_id: o.agent_id,
          command: { shell: true, value: 'true' },
          labels: { [DURATION_LABEL]: 'forever' },
          resources: [
            { name: 'cpus', type: 'SCALAR' as const, scalar: 0.1 },
            { name: 'mem', type: 'SCALAR' as const, scalar: 32 },
          ],
        };
      });
      // An accept left unanswered (seen here on a loaded machine: a few dozen of 1,000
      // never settled) would leave its tasks wanted by nobody; past the limit they are
      // wanted again under new IDs, and a late answer changes nothing.
      let settled = false;
      const giveUp = (why: string) => {
        if (settled) return;
        settled = true;
        books.pendingAccepts--;
        inflight--;
        for (const t of tasks) pending.delete(t.task_id);
        want(tasks.length, why);
      };
      const timer = setTimeout(() => giveUp('accept unanswered for 120 s'), 120_000).unref();
      fw.accept([o.id], [{ type: 'LAUNCH', tasks }], 1).then(
        () => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          books.pendingAccepts--;
          inflight--;
          sync();
        },
        (err: unknown) => {
          clearTimeout(timer);
          // One reason per kind, not per offer: IDs out.
          const why = String((err as { details?: unknown }).details ?? err);
          giveUp(`accept rejected: ${why.replace(/offer-[0-9a-f-]+/g, 'offer')}`);
        },
      );
    }
    if (unused.length > 0) fw.decline(unused, 600).catch(() => undefined);
    sync();
  });
  return fw;
}
