/**
 * The apiserver's own count of the requests a run made: `apiserver_request_total` from
 * its /metrics before and after, by verb, resource and subresource. The apiserver does
 * not say which client sent a request, so the bench's creates (one POST per object) and
 * KWOK's pod status writes are in it too; {@link requestsPerObject} names each row.
 * Watches are left out: a watch is one long request, counted when it ends.
 */

/** Requests by `VERB resource[/subresource]`. */
export type RequestCounts = Record<string, number>;

const LINE = /^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$/;

function label(labels: string, name: string): string {
  const m = new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels);
  return m?.[1] ?? '';
}

/** Parses the Prometheus text of /metrics into counts by `VERB resource[/sub]`. */
export function parseRequestCounts(metrics: string): RequestCounts {
  const out: RequestCounts = {};
  for (const line of metrics.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = m[1] ?? '';
    const verb = label(labels, 'verb');
    if (verb === 'WATCH' || verb === 'CONNECT') continue;
    const sub = label(labels, 'subresource');
    const key = `${verb} ${label(labels, 'resource')}${sub ? `/${sub}` : ''}`;
    out[key] = (out[key] ?? 0) + Number(m[2]);
  }
  return out;
}

/** `after` minus `before`, rows that did not change left out, largest first. */
export function requestDelta(before: RequestCounts, after: RequestCounts): RequestCounts {
  const rows = Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows);
}

/** Each row of `delta` over the number of objects, to 2 decimals. */
export function requestsPerObject(delta: RequestCounts, objects: number): RequestCounts {
  return Object.fromEntries(
    Object.entries(delta).map(([k, v]) => [k, Math.round((v / Math.max(1, objects)) * 100) / 100]),
  );
}

/** The apiserver's counts now, read through kubectl with the admin kubeconfig. */
export async function apiserverRequests(cp: {
  kubectl(args: string[]): Promise<{ stdout: string }>;
}): Promise<RequestCounts> {
  return parseRequestCounts((await cp.kubectl(['get', '--raw', '/metrics'])).stdout);
}
