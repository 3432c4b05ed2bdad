// How the node e2e's Chromium trusts the chart's controller certificate
// (test/e2e/node/dashboard-on-node.ts), in real Chromium against a real HTTPS server
// whose certificate a test CA signed: without a pin the page does not load; with the pin
// of the verified certificate it does; a pin of another key does not help; and no pin is
// made for a certificate the given CA did not sign.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { chromiumPrerequisite, launchChromium, verifiedSpkiPin } from '../support/browser.js';
import { tempDir } from '../support/cleanup.js';
import { TestCertificates } from '../support/test-certs.js';

const NAME = 'mezzo-controller.mezzo.svc';
let certs: TestCertificates;
let server: Server;
let port = 0;

before(async () => {
  certs = new TestCertificates(tempDir('mezzo-tls-pin-'));
  certs.makeCa('ca');
  certs.makeServing('ca', 'server', NAME);
  certs.makeCa('other-ca');
  certs.makeServing('other-ca', 'other', NAME);
  server = createServer(
    { key: readFileSync(certs.file('server.key')), cert: readFileSync(certs.file('server.crt')) },
    (_req, res) => res.end('<!doctype html><p id="ok">pinned</p>'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('Chromium loads the page only with the pin of the certificate the CA verified', async (t) => {
  if (!chromiumPrerequisite(t)) return;
  const ca = readFileSync(certs.file('ca.crt'));
  const pin = await verifiedSpkiPin('127.0.0.1', port, ca, NAME);
  // The other CA's serving key, served nowhere: a pin that matches nothing here.
  const otherSpki = await (async () => {
    const other = createServer({
      key: readFileSync(certs.file('other.key')),
      cert: readFileSync(certs.file('other.crt')),
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const p = (other.address() as AddressInfo).port;
      return await verifiedSpkiPin('127.0.0.1', p, readFileSync(certs.file('other-ca.crt')), NAME);
    } finally {
      await new Promise((r) => other.close(r));
    }
  })();
  assert.notEqual(pin, otherSpki);
  const cases: [string, string[], boolean][] = [
    ['no pin', [], false],
    ['another key pinned', [otherSpki], false],
    ['the verified key pinned', [pin], true],
  ];
  for (const [name, pins, loads] of cases) {
    const browser = await launchChromium(pins);
    try {
      const page = await browser.newPage();
      const outcome = await page
        .goto(`https://127.0.0.1:${port}/`)
        .then(async () => page.textContent('#ok'))
        .catch((err: unknown) => `error: ${String(err)}`);
      if (loads) assert.equal(outcome, 'pinned', name);
      else assert.match(String(outcome), /ERR_CERT/, name);
    } finally {
      await browser.close();
    }
  }
});

test('no pin is made for a certificate the given CA did not sign, nor under another name', async () => {
  const otherCa = readFileSync(certs.file('other-ca.crt'));
  const ca = readFileSync(certs.file('ca.crt'));
  await assert.rejects(verifiedSpkiPin('127.0.0.1', port, otherCa, NAME), /certificate/i);
  await assert.rejects(verifiedSpkiPin('127.0.0.1', port, ca, 'elsewhere.example'), /elsewhere/);
});
