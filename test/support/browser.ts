/**
 * Real Chromium for the dashboard's tests: Debian's `chromium` package, driven by
 * playwright-core (which downloads no browser of its own).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:tls';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { prerequisite } from './prereq.js';

/** Where Debian installs Chromium; MEZZO_CHROMIUM names another. */
export const CHROMIUM = process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium';

/** Whether Chromium is here; skips (or fails under CI) otherwise. */
export function chromiumPrerequisite(t: TestContext): boolean {
  return prerequisite(t, existsSync(CHROMIUM), "Debian's Chromium", 'apt-get install -y chromium');
}

/**
 * Launches headless Chromium; close it in a `finally` or `after` (it ends its children).
 * `trustKeys`: pins from {@link verifiedSpkiPin}, the only certificates it accepts beyond
 * its own store.
 */
export function launchChromium(trustKeys: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox refuses to run as root, which these tests are (for cgroups).
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      // Honoured because playwright gives Chromium its own --user-data-dir.
      ...(trustKeys.length > 0
        ? [`--ignore-certificate-errors-spki-list=${trustKeys.join(',')}`]
        : []),
    ],
  });
}

/**
 * Chromium's pin (base64 SHA-256 of the public key's SPKI) of the certificate the TLS
 * server at `host:port` presents, taken only after Node has verified that certificate
 * against `ca` under `serverName`: Chromium then accepts exactly that key (at an address
 * the certificate does not name, too) and nothing else its store does not trust, where
 * `--ignore-certificate-errors` would accept any certificate. Rejects when the
 * certificate does not verify.
 */
export function verifiedSpkiPin(
  host: string,
  port: number,
  ca: Buffer,
  serverName: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca, servername: serverName }, () => {
      const spki = new X509Certificate(socket.getPeerCertificate().raw).publicKey.export({
        type: 'spki',
        format: 'der',
      });
      socket.destroy();
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.once('error', reject);
  });
}

/** A new page that records script errors, for the test to assert there were none. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  // The dashboard's policy forbids eval, which the tests' string predicates use; the
  // page's own scripts run under it all the same.
  const page = await browser.newPage({ viewport, bypassCSP: true });
  // A loaded test machine renders slowly; waits end on what they wait for, not on time.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // An answer the test provokes on purpose (a 422) is logged as a failed load; what the
    // test checks of it is what the page shows.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits until the element `selector` has text matching `re`. (The predicate is source
 * text: it runs in the page, whose DOM these Node-typed tests do not declare.)
 */
export async function waitForText(page: Page, selector: string, re: RegExp): Promise<void> {
  await page.waitForFunction(
    `(() => { const el = document.querySelector(${JSON.stringify(selector)});
      return el !== null && new RegExp(${JSON.stringify(re.source)}, ${JSON.stringify(re.flags)}).test(el.textContent); })()`,
  );
}

/** Evaluates `expression` (source text) in the page. */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}
