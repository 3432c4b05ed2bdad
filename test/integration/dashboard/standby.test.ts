// A standby controller's HTTP port sends a browser that opened the dashboard to the
// leader's (the HTTP address the leader keeps on its Lease): 307 to it, the URL fragment
// with the token left to the browser; while no leader (or no well-formed address) is
// known, a page that retries; the rest of the API still answers 503 NOT_LEADER. Served
// by the real standby server on loopback; the two-controller Lease election that feeds it
// the address runs in the e2e level (test/e2e/kube/controller-ha.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { leaderDashboardUrl, startStandbyHttp } from '../../../src/controller/http/standby.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { authHeader, testAccess } from '../../support/auth.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function standby(leaderHttp: string): Promise<string> {
  const { server, port } = await startStandbyHttp(
    { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'controller' },
    testAccess,
    '127.0.0.1',
    0,
    () => '10.0.0.9:5051',
    undefined,
    () => leaderHttp,
  );
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

const URLS: [string, string, boolean, string | undefined][] = [
  ['a host and port', '10.0.0.9:5050', false, 'http://10.0.0.9:5050/'],
  ['with TLS', 'ctl-0.mezzo.svc:5050', true, 'https://ctl-0.mezzo.svc:5050/'],
  ['an IPv6 address', '[fd00::1]:5050', false, 'http://[fd00::1]:5050/'],
  ['nothing known', '', false, undefined],
  ['a path smuggled in', 'evil.example/x:5050', false, undefined],
  ['a user smuggled in', 'me@evil.example:5050', false, undefined],
  ['a header smuggled in', '10.0.0.9:5050\r\nSet-Cookie: a=b', false, undefined],
  ['no port', '10.0.0.9', false, undefined],
];

for (const [what, addr, tls, want] of URLS) {
  test(`the leader's dashboard URL from ${what}`, () => {
    assert.equal(leaderDashboardUrl(addr, tls), want);
  });
}

test("a standby's GET / redirects the browser to the leader's dashboard", async () => {
  const at = await standby('127.0.0.1:5999');
  const res = await fetch(`${at}/`, { redirect: 'manual' });
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), 'http://127.0.0.1:5999/');
  // The API still says where to go, to a caller with a token.
  const api = await fetch(`${at}/events`, { headers: authHeader() });
  assert.equal(api.status, 503);
  assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'NOT_LEADER');
});

test('without a known leader the standby serves a page that retries', async () => {
  const at = await standby('');
  const res = await fetch(`${at}/`, { redirect: 'manual' });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('location'), null);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await res.text(), /standby and no leader is known yet/);
});
