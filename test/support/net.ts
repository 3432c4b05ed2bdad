/** Loopback helpers for tests and benches. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on now, for a child process to bind later.
 * Chosen below the kernel's ephemeral range (`ip_local_port_range`): a port from that
 * range, which binding port 0 gives, can be taken by any outgoing connection before the
 * child binds it: a side-by-side run lost its third controller to EADDRINUSE that way,
 * among the thousands of loopback connections the schedulers and agents keep.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low - PORT_FLOOR < 1_000) return bindable(0);
  for (let tries = 0; tries < 100; tries++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * (low - PORT_FLOOR));
    const got = await bindable(port).catch(() => 0);
    if (got) return got;
  }
  throw new Error(`no free port in ${String(PORT_FLOOR)}-${String(low - 1)}`);
}

/** Ports below this are left to services. */
const PORT_FLOOR = 20_000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low !== undefined && Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Binds `port` (0: any) on 127.0.0.1 and lets it go; the port bound. */
function bindable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const a = s.address();
      const bound = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(bound));
    });
  });
}
