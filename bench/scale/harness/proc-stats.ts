/**
 * What the scale bench reads of its processes and of the controller: CPU seconds and
 * resident memory from /proc, and the controller's Prometheus counters from /metrics.
 */
import { readFileSync } from 'node:fs';

/** User + system CPU seconds of a process so far (0 when it is gone). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), counted from its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MiB (NaN when it is gone). */
export function rssMiB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** Samples of a /metrics page: `name{labels}` → value. */
export type Metrics = Map<string, number>;

/** Reads the controller's /metrics. */
export async function readMetrics(http: string, token: string): Promise<Metrics> {
  const r = await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const out: Metrics = new Map();
  for (const line of (await r.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** One series' value (summed over series whose labels include `labels`); 0 when absent. */
export function metric(m: Metrics, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, v] of m) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, val]) => key.includes(`${k}="${val}"`))) sum += v;
  }
  return sum;
}
