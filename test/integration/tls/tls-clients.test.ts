/**
 * TLS where the chart turns it on, on real sockets with certificates made here by openssl:
 * the agent's own HTTP port serves HTTPS when given a certificate (and plain HTTP without
 * one), and the CLI's HTTP client verifies a controller against the CA it is given under
 * the certificate's name: the right CA gets the answer, another CA or another name is
 * refused, and `--server` with `--certificate-authority` turns into an https endpoint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request } from 'node:https';
import { startAgentHttp } from '../../../src/agent-sidecar/agent-http.js';
import { StatusUpdateManager } from '../../../src/agent-sidecar/status-updates.js';
import { resolveEndpoints } from '../../../src/cli/commands/endpoint.js';
import { callController, ControllerRequestError } from '../../../src/cli/commands/http-client.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { testAccess } from '../../support/auth.js';
import { tempDir } from '../../support/cleanup.js';
import { TestCertificates } from '../../support/test-certs.js';

const dir = tempDir('mezzo-tls-clients-');

const certs = new TestCertificates(dir);
const f = (name: string) => certs.file(name);

/** A CA, and a serving pair it signs for `name` and 127.0.0.1. */
function makeCerts(ca: string, name: string): void {
  certs.makeCa(ca);
  certs.makeServing(ca, name, name);
}

const servers: Server[] = [];

/** The agent's HTTP port with (or without) the `mezzo-agent` pair. */
async function agentPort(tls: boolean): Promise<number> {
  const metrics = new MetricsRegistry();
  const logger = silentLogger();
  const { server, port } = await startAgentHttp(
    {
      registered: () => true,
      agentId: () => 'a1',
      cgroupVersion: 2,
      tasks: new Map(),
      updates: new StatusUpdateManager(new SystemClock(), { send: () => false }, logger, 1e3, 1e4),
      metrics,
      logger,
      collectUsage: () => Promise.resolve(),
      access: testAccess,
    },
    '127.0.0.1',
    0,
    tls
      ? { certFile: f('mezzo-agent.crt'), keyFile: f('mezzo-agent.key'), reloadSeconds: 60 }
      : undefined,
  );
  servers.push(server);
  return port;
}

function httpsStatus(port: number, ca: string, serverName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://127.0.0.1:${port}/healthz`,
      { ca: readFileSync(f(`${ca}.crt`)), servername: serverName, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(() => {
  makeCerts('ca-right', 'mezzo-agent');
  makeCerts('ca-other', 'other');
});

after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

test('the agent port: HTTPS with a certificate (verified by its CA), plain HTTP without', async () => {
  const tlsPort = await agentPort(true);
  assert.equal(await httpsStatus(tlsPort, 'ca-right', 'mezzo-agent'), 200);
  await assert.rejects(httpsStatus(tlsPort, 'ca-other', 'mezzo-agent'));
  await assert.rejects(httpsStatus(tlsPort, 'ca-right', 'not-the-agent'));
  const plainToTls = await fetch(`http://127.0.0.1:${tlsPort}/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  assert.notEqual(plainToTls, 200);
  const plainPort = await agentPort(false);
  assert.equal((await fetch(`http://127.0.0.1:${plainPort}/healthz`)).status, 200);
});

test('the CLI verifies an HTTPS controller against --certificate-authority', async () => {
  const port = await agentPort(true);
  const cases: [string, string, string | undefined, boolean][] = [
    ['right CA, right name', 'ca-right', 'mezzo-agent', true],
    ['right CA, the address as the name (in the certificate too)', 'ca-right', undefined, true],
    ['another CA', 'ca-other', 'mezzo-agent', false],
    ['right CA, a name the certificate lacks', 'ca-right', 'mezzo-controller', false],
  ];
  for (const [what, ca, serverName, ok] of cases) {
    const endpoints = await resolveEndpoints({
      server: `http://127.0.0.1:${port}`,
      controllerNamespace: 'mezzo-system',
      lease: 'mezzo-controller',
      certificateAuthority: f(`${ca}.crt`),
      ...(serverName ? { tlsServerName: serverName } : {}),
    });
    assert.equal(endpoints.http, `https://127.0.0.1:${port}`, what);
    const call = callController(endpoints, '/healthz');
    if (ok) assert.equal(((await call) as { ok: boolean }).ok, true, what);
    else await assert.rejects(call, ControllerRequestError, what);
  }
});
