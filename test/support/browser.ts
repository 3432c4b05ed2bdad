/**
 * Real Chromium for the dashboard's tests: Debian's `chromium` package, driven by
 * playwright-core (which downloads no browser of its own).
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { prerequisite } from './prereq.js';

/** Where Debian installs Chromium; MEZZO_CHROMIUM names another. */
export const CHROMIUM = process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium';

/** Whether Chromium is here; skips (or fails under CI) otherwise. */
export function chromiumPrerequisite(t: TestContext): boolean {
  return prerequisite(t, existsSync(CHROMIUM), "Debian's Chromium", 'apt-get install -y chromium');
}

/** Launches headless Chromium; close it in a `finally` or `after` (it ends its children). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox refuses to run as root, which these tests are (for cgroups).
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
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
