/**
 * What idle open dashboards cost a loaded controller (issue 15: "a left-open page must
 * cost the server a bounded amount"): the controller process's CPU per second, read from
 * /proc, with no page, one page and `pages` pages open, each page a stream read in this
 * process (so its reading is not counted), and the bytes and events each page received
 * after its snapshot. "Idle" is the page's side: the cluster keeps living (agents ping,
 * offers time out and are made again), and what that changes is what the pages receive.
 */
import { cpuSeconds, metric, readMetrics } from '../../scale/harness/proc-stats.js';
import { openStream, type StreamReader } from '../../dashboard/harness/stream-reader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One window's figures. */
export interface IdleWindow {
  /** Controller CPU, ms per second of the window. */
  cpuMsPerS: number;
  /**
   * Of it, the stream's passes (`mezzo_dashboard_pass_seconds`), ms per second, and how
   * many passes there were; absent where the controller does not count them.
   */
  passMsPerS?: number;
  passes?: number;
  /** Bytes the most-receiving page got, per minute. */
  bytesPerPagePerMin?: number;
  /** Events a page got in the window, by name (`ping`: heartbeats). */
  eventsPerPage?: Record<string, number>;
}

/** Where the controller is: its process and its HTTP address, and the token. */
export interface Target {
  pid: number;
  server: string;
  token: string;
}

/** The stream's passes so far: seconds in all and how many. */
async function passes(t: Target): Promise<[number, number]> {
  const m = await readMetrics(t.server, t.token);
  return [
    metric(m, 'mezzo_dashboard_pass_seconds_sum'),
    metric(m, 'mezzo_dashboard_pass_seconds_count'),
  ];
}

const round = (x: number) => Math.round(x * 100) / 100;

/** CPU ms per second of the controller over `seconds`, and what `pages` received meanwhile. */
async function window(t: Target, seconds: number, pages: StreamReader[]): Promise<IdleWindow> {
  const bytes = pages.map((p) => p.after);
  const events = new Map(pages[0]?.events ?? []);
  const [sum, count] = await passes(t);
  const cpu = cpuSeconds(t.pid);
  await sleep(seconds * 1000);
  const cpuMsPerS = round(((cpuSeconds(t.pid) - cpu) * 1000) / seconds);
  const [sumAfter, countAfter] = await passes(t);
  const own =
    countAfter > 0
      ? { passMsPerS: round(((sumAfter - sum) * 1000) / seconds), passes: countAfter - count }
      : {};
  if (pages.length === 0) return { cpuMsPerS, ...own };
  const most = Math.max(...pages.map((p, i) => p.after - (bytes[i] ?? 0)));
  const first = pages[0]?.events ?? new Map<string, number>();
  return {
    cpuMsPerS,
    ...own,
    bytesPerPagePerMin: Math.round((most / seconds) * 60),
    eventsPerPage: Object.fromEntries([...first].map(([k, n]) => [k, n - (events.get(k) ?? 0)])),
  };
}

/**
 * Measures no page, one page, `pages` pages open and no page again, `seconds` each (the
 * first no-page window may still hold the tail of the load; the last one does not).
 */
export async function idleCost(
  t: Target,
  pages: number,
  seconds: number,
): Promise<Record<string, IdleWindow | number>> {
  const url = `${t.server}/events`;
  const none = await window(t, seconds, []);
  const open = [await openStream(url, t.token)];
  let one: IdleWindow;
  let many: IdleWindow;
  try {
    // The first ticks after a stream opens carry what the store's watches replayed.
    await sleep(3000);
    one = await window(t, seconds, open);
    while (open.length < pages) open.push(await openStream(url, t.token));
    await sleep(3000);
    many = await window(t, seconds, open);
  } finally {
    for (const p of open) await p.close();
  }
  const snapshotBytes = open[0]?.snapshot ?? 0;
  await sleep(3000);
  const noneAfter = await window(t, seconds, []);
  return {
    windowS: seconds,
    noPage: none,
    onePage: one,
    [`pages${pages}`]: many,
    noPageAfter: noneAfter,
    snapshotBytes,
  };
}
