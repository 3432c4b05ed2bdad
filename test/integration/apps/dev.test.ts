// The example app under `mezzo dev` as a real process, driven by the CLI: `mezzo apply -f
// examples/apps/hello-http.yaml`, `mezzo get apps` (printer columns), the service answers
// on its assigned port, and `mezzo delete app` kills its instances.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { devPrerequisite, mezzoAt, spawnDev } from '../../support/dev-process.js';
import { waitFor } from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

const example = fileURLToPath(
  new URL('../../../../examples/apps/hello-http.yaml', import.meta.url),
);
const cgroupRoot = testCgroupRoot('appsdev');

// Tasks outlive `mezzo dev` by design: kill what this test started and remove its cgroups.
after(() => cleanCgroupTrees(cgroupRoot));

function mezzo(server: string, ...args: string[]) {
  const r = mezzoAt(server, ...args);
  assert.equal(r.status, 0, `mezzo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('mezzo dev: apply the example app, get apps, reach it, delete it', async (t) => {
  if (!devPrerequisite(t)) return;
  const dev = await spawnDev({
    cgroupRoot,
    workDir: tempDir('mezzo-appsdev-'),
  });
  const { server } = dev;
  try {
    await waitFor(
      () =>
        dev
          .fetch('/state')
          .then((r) => r.ok)
          .catch(() => false),
      20_000,
      () => `mezzo dev to come up: ${dev.output.slice(-2000)}`,
    );
    assert.match(mezzo(server, 'apply', '-f', example), /App\/hello-http created/);
    // NAMESPACE NAME INSTANCES RUNNING HEALTHY ...: 2 desired, 2 running, 2 healthy.
    await waitFor(
      () => /^default\s+hello-http\s+2\s+2\s+2\s/m.test(mezzo(server, 'get', 'apps')),
      30_000,
      () => `two healthy instances: ${mezzo(server, 'get', 'apps')}`,
    );
    assert.match(
      mezzo(server, 'get', 'apps'),
      /^NAMESPACE\s+NAME\s+INSTANCES\s+RUNNING\s+HEALTHY\s+DEPLOYING\s+AGE/m,
    );

    // The service answers on the port the instance was given ($PORT0).
    const tasks = mezzo(server, 'get', 'tasks');
    const ports = [...tasks.matchAll(/hello-http\s+TASK_RUNNING.*ports:\[(\d+)-\d+\]/g)].map(
      (m) => m[1],
    );
    assert.equal(ports.length, 2, tasks);
    const body = await (await fetch(`http://127.0.0.1:${ports[0] ?? ''}/`)).text();
    assert.match(body, new RegExp(`^hello from .*:${ports[0] ?? ''}$`, 'm'));

    mezzo(server, 'delete', 'app', 'hello-http');
    await waitFor(
      () =>
        !/hello-http/.test(mezzo(server, 'get', 'apps')) &&
        !/TASK_RUNNING/.test(mezzo(server, 'get', 'tasks')),
      15_000,
      () => `the app and its instances gone: ${mezzo(server, 'get', 'tasks')}`,
    );
  } finally {
    dev.process.kill('SIGTERM');
  }
  assert.equal(await dev.exited, 0, dev.output.slice(-2000));
});
