/**
 * What the dashboard's newer browser tests share: one real `mezzo dev` (controller, agent
 * with cgroups, built-in frameworks) and headless Chromium for a test file, pages opened
 * with the dev token in the fragment as `mezzo dev` prints it, and calls of its HTTP API.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  chromiumPrerequisite,
  CHROMIUM,
  launchChromium,
  openPage,
  waitForText,
} from '../support/browser.js';
import { cleanCgroupTrees } from '../support/cgroups.js';
import { tempDir, testCgroupRoot } from '../support/cleanup.js';
import { devPrerequisite, spawnDev, type DevProcess } from '../support/dev-process.js';

/** A `mezzo dev` with a browser, for one test file. */
export class DevDashboard {
  dev: DevProcess | undefined;
  browser: Browser | undefined;
  private readonly cgroupRoot: string;

  constructor(name: string) {
    this.cgroupRoot = testCgroupRoot(name);
  }

  /** Whether this machine can run the test (root, Chromium); skips otherwise. */
  static ready(t: TestContext): boolean {
    return devPrerequisite(t) && chromiumPrerequisite(t);
  }

  /** Starts `mezzo dev` and Chromium, when the machine can (call from `before`). */
  async start(): Promise<void> {
    if (process.getuid?.() !== 0 || !existsSync(CHROMIUM)) return;
    this.dev = await spawnDev({ cgroupRoot: this.cgroupRoot, workDir: tempDir('mezzo-dash-') });
    const d = this.dev;
    await until('mezzo dev to answer', async () =>
      fetch(`${d.server}/healthz`)
        .then((r) => (r.ok ? true : undefined))
        .catch(() => undefined),
    );
    await until('its token', () => Promise.resolve(existsSync(this.tokenFile) || undefined));
    this.browser = await launchChromium();
  }

  /** Stops Chromium and `mezzo dev`, and removes the tasks' cgroups (call from `after`). */
  async stop(): Promise<void> {
    await this.browser?.close();
    if (this.dev) {
      this.dev.process.kill('SIGTERM');
      await this.dev.exited;
    }
    // Tasks outlive `mezzo dev` by design.
    await cleanCgroupTrees(this.cgroupRoot);
  }

  private get tokenFile(): string {
    assert.ok(this.dev);
    return join(this.dev.workDir, 'token');
  }

  /** The dev token. */
  get token(): string {
    return readFileSync(this.tokenFile, 'utf8').trim();
  }

  /** `mezzo dev`'s gRPC address. */
  get grpcAddress(): string {
    assert.ok(this.dev);
    return `127.0.0.1:${this.dev.grpcPort}`;
  }

  /** Calls the HTTP API with the token; a non-2xx answer fails the test. */
  async api(path: string, init: RequestInit = {}): Promise<unknown> {
    assert.ok(this.dev);
    const res = await this.dev.fetch(path, {
      ...init,
      headers: init.body !== undefined ? { 'content-type': 'application/json' } : {},
    });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  }

  /**
   * Opens `route` (with the token in the fragment) once the stream is live, and marks the
   * page so that {@link notReloaded} can tell that what follows came through the stream.
   */
  async visit(route: string): Promise<{ page: Page; errors: string[] }> {
    assert.ok(this.dev && this.browser);
    const r = await openPage(this.browser, `${this.dev.server}/#token=${this.token}`);
    await waitForText(r.page, '#stream-status', /live/);
    await r.page.evaluate(`location.hash = ${JSON.stringify(`#/${route}`)}`);
    await r.page.evaluate('window.__noReload = true');
    return r;
  }
}

/** Asserts the page was not reloaded since {@link DevDashboard.visit}. */
export async function notReloaded(page: Page): Promise<void> {
  assert.equal(await page.evaluate('window.__noReload === true'), true);
}

/** Polls `get` until it returns a value (a minute at most). */
export async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
