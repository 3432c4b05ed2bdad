#!/usr/bin/env node
// Screenshots of every dashboard page for docs/dashboard.md: starts `mezzo dev --demo` (as
// root: real cgroups) on free ports with a scratch work dir, adds an app and two chained
// jobs through the API (three, chained), opens each page in Debian's Chromium (playwright-core) at 1280 px,
// plus the Overview in the dark theme and Apps on a 390 px phone, and writes the PNGs to
// docs/dashboard/. Afterwards it stops mezzo dev and kills the tasks it started.
// Run after a build: `npm run build && node scripts/dashboard-screenshots.mjs`.
/* global fetch, setTimeout */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs/dashboard');
const { freePort } = await import(pathToFileURL(join(root, 'dist/test/support/net.js')).href);
const { cleanCgroupTrees } = await import(
  pathToFileURL(join(root, 'dist/test/support/cgroups.js')).href
);

const port = await freePort();
const grpcPort = await freePort();
const workDir = mkdtempSync(join(tmpdir(), 'mezzo-shots-'));
const cgroupRoot = `mezzo-shots-${process.pid}`;
const dev = spawn(
  process.execPath,
  [
    join(root, 'bin/mezzo.js'),
    'dev',
    '--demo',
    '--port',
    String(port),
    '--grpc-port',
    String(grpcPort),
    '--work-dir',
    workDir,
    '--cgroup-root',
    cgroupRoot,
  ],
  { stdio: 'ignore' },
);
const server = `http://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tokenFile = join(workDir, 'token');
const token = () => (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
const auth = () => (token() ? { authorization: `Bearer ${token()}` } : {});

async function apply(objects) {
  const res = await fetch(`${server}/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth() },
    body: JSON.stringify(objects),
  });
  if (!res.ok) throw new Error(`apply: ${res.status} ${await res.text()}`);
}

let browser;
try {
  for (let i = 0; ; i++) {
    if (
      await fetch(`${server}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300) throw new Error('mezzo dev did not answer');
    await sleep(100);
  }
  const job = (name, spec) => ({
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Schedule',
    metadata: { name, namespace: 'default' },
    spec: { cpus: 0.1, mem: '32Mi', ...spec },
  });
  await apply([
    {
      apiVersion: 'mezzo.dev/v1alpha1',
      kind: 'App',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        command: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1',
        instances: 2,
        cpus: 0.1,
        mem: '64Mi',
        portDefinitions: [{ port: 0 }],
      },
    },
    job('extract', { command: 'echo extracted', schedule: 'R/2030-01-01T00:00:00Z/P1D' }),
    job('transform', { command: 'echo transformed', parents: ['extract'] }),
    job('load', { command: 'echo loaded', parents: ['transform'] }),
  ]);
  await fetch(`${server}/annotate?kind=Schedule&name=extract&namespace=default`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth() },
    body: JSON.stringify({ 'mezzo.dev/run-now': new Date().toISOString() }),
  });
  await sleep(8000);
  browser = await chromium.launch({
    executablePath: process.env.MEZZO_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  mkdirSync(out, { recursive: true });
  const shoot = async (route, file, { dark = false, width = 1280, height = 800 } = {}) => {
    const page = await browser.newPage({
      viewport: { width, height },
      colorScheme: dark ? 'dark' : 'light',
    });
    await page.goto(`${server}/#${token() ? `token=${token()}` : '/'}`);
    await page.waitForSelector('.status.live');
    await page.evaluate(`location.hash = '#/${route}'`);
    await sleep(1500);
    await page.screenshot({ path: join(out, file), fullPage: true });
    await page.close();
    console.log(`docs/dashboard/${file}`);
  };
  for (const route of [
    'overview',
    'frameworks',
    'agents',
    'tasks',
    'roles',
    'offers',
    'apps',
    'schedules',
  ])
    await shoot(route, `${route}.png`);
  // One framework's page: its tasks and the allocator's decisions for it.
  const state = await (await fetch(`${server}/state`, { headers: auth() })).json();
  const fw = state.frameworks?.find((f) => f.tasks?.length > 0) ?? state.frameworks?.[0];
  if (fw) await shoot(`frameworks/${encodeURIComponent(fw.id)}`, 'framework.png');
  await shoot('overview', 'overview-dark.png', { dark: true });
  await shoot('apps', 'apps-phone.png', { width: 390, height: 844 });
} finally {
  await browser?.close();
  dev.kill('SIGTERM');
  await new Promise((r) => dev.on('exit', r));
  await cleanCgroupTrees(cgroupRoot);
  rmSync(workDir, { recursive: true, force: true });
}
