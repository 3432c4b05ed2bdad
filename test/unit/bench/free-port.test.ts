// freePort (test/support/net.ts) gives ports below the kernel's ephemeral range, which no
// outgoing connection can take between the pick and the child's bind: here the range is
// read from /proc, and each port given must lie in [20000, low) and be bindable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../support/net.js';

test('freePort gives bindable ports below the ephemeral range', async () => {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.ok(low !== undefined && low - 20_000 >= 1_000, `a range to pick from: ${String(low)}`);
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    assert.ok(port >= 20_000 && port < low, `${String(port)} in [20000, ${String(low)})`);
    await new Promise<void>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  }
});
