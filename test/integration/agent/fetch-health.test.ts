// The fetcher (file and HTTP URIs, extract, executable bit, shared cache, readable
// failures) and health checks (command, HTTP, TCP; kill when unhealthy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync, chmodSync, symlinkSync } from 'node:fs';
import { rm, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { needCgroups, startHarness } from './support/harness.js';
import { shellTask } from './support/fake-controller.js';
import { tempDir } from '../../support/cleanup.js';

async function fileServer(
  files: Record<string, Buffer>,
): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files[path];
    if (path === '/health') {
      res.writeHead(200);
      res.end('ok');
    } else if (body) {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

test('a task whose URI fetch fails ends FAILED with the fetch reason and a readable message', async (t) => {
  if (!needCgroups(t)) return;
  const h = await startHarness();
  const srv = await fileServer({});
  try {
    h.controller.launch(
      shellTask('nofile', 'true', {
        extra: {
          command: {
            shell: true,
            value: 'true',
            uris: [{ value: 'file:///nonexistent/app.tar.gz', extract: true }],
          },
        },
      }),
    );
    const a = await h.controller.waitForState('nofile', 'TASK_FAILED');
    assert.equal(a.reason, 'REASON_FETCH_FAILED');
    assert.equal(
      a.message,
      'failed to fetch file:///nonexistent/app.tar.gz: no such file /nonexistent/app.tar.gz',
    );
    assert.deepEqual(h.controller.states('nofile'), ['TASK_STARTING', 'TASK_FAILED']);

    const missing = `${srv.url}/missing.bin`;
    h.controller.launch(
      shellTask('http404', 'true', {
        extra: { command: { shell: true, value: 'true', uris: [{ value: missing }] } },
      }),
    );
    const b = await h.controller.waitForState('http404', 'TASK_FAILED');
    assert.equal(b.reason, 'REASON_FETCH_FAILED');
    assert.equal(b.message, `failed to fetch ${missing}: HTTP 404 Not Found`);

    h.controller.launch(
      shellTask('badscheme', 'true', {
        extra: { command: { shell: true, value: 'true', uris: [{ value: 'ftp://x/y' }] } },
      }),
    );
    const c = await h.controller.waitForState('badscheme', 'TASK_FAILED');
    assert.match(c.message, /unsupported scheme/);
  } finally {
    await srv.close();
    await h.cleanup();
  }
});

test('fetch over HTTP with extract, executable bit and a shared cache', async (t) => {
  if (!needCgroups(t)) return;
  const src = tempDir('mezzo-fetch-src-');
  mkdirSync(join(src, 'data'));
  writeFileSync(join(src, 'data', 'x.txt'), 'payload\n');
  execFileSync('tar', ['-czf', join(src, 'app.tar.gz'), '-C', src, 'data']);
  // Writing into the extracted directory needs it to belong to the task's user.
  writeFileSync(
    join(src, 'run.sh'),
    '#!/bin/sh\necho more >> data/x.txt && echo "ran $(head -1 data/x.txt)"\n',
  );
  chmodSync(join(src, 'run.sh'), 0o644);
  const srv = await fileServer({
    '/app.tar.gz': readFileSync(join(src, 'app.tar.gz')),
    '/run.sh': readFileSync(join(src, 'run.sh')),
  });
  const h = await startHarness();
  try {
    for (const id of ['f1', 'f2']) {
      h.controller.launch(
        shellTask(id, './run.sh', {
          extra: {
            command: {
              shell: true,
              value: './run.sh',
              uris: [
                { value: `${srv.url}/app.tar.gz`, extract: true, cache: true },
                { value: `${srv.url}/run.sh`, executable: true },
              ],
            },
          },
        }),
      );
      await h.controller.waitForState(id, 'TASK_FINISHED');
      const sb = h.agent.sandboxOf(id) ?? '';
      assert.equal((await readFile(join(sb, 'stdout'), 'utf8')).trim(), 'ran payload');
    }
    assert.equal(srv.hits.get('/app.tar.gz'), 1, 'the cached archive was downloaded once');
    assert.equal(srv.hits.get('/run.sh'), 2, 'the uncached script was downloaded per task');
  } finally {
    await srv.close();
    await h.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});

test('the fetcher reads local files as the task user and never writes through a symlink', async (t) => {
  if (!needCgroups(t)) return;
  // A root-only file, and one an archive's symlink points at.
  const src = tempDir('mezzo-fetch-hostile-');
  const secret = join(src, 'secret');
  writeFileSync(secret, 'SECRET\n', { mode: 0o600 });
  const target = join(src, 'target');
  writeFileSync(target, 'untouched\n');
  mkdirSync(join(src, 'arc'));
  symlinkSync(target, join(src, 'arc', 'victim.txt'));
  execFileSync('tar', ['-cf', join(src, 'evil.tar'), '-C', join(src, 'arc'), 'victim.txt']);
  const srv = await fileServer({
    '/evil.tar': readFileSync(join(src, 'evil.tar')),
    '/victim.txt': Buffer.from('overwritten\n'),
  });
  const h = await startHarness();
  try {
    // [task, URIs, the failure]
    const cases: [string, { value: string; extract?: boolean }[], RegExp][] = [
      // The agent is root; the task's user (nobody) may not read it.
      ['shadow', [{ value: 'file:///etc/shadow' }], /uid 65534 \(the task's user\) may not read/],
      ['secret', [{ value: `file://${secret}` }], /may not read/],
      // The archive leaves victim.txt -> target; the next URI has that name.
      [
        'through-link',
        [{ value: `${srv.url}/evil.tar`, extract: true }, { value: `${srv.url}/victim.txt` }],
        /EEXIST/,
      ],
    ];
    for (const [id, uris, failure] of cases) {
      h.controller.launch(
        shellTask(id, 'cat shadow secret 2>/dev/null', {
          extra: { command: { shell: true, value: 'true', uris } },
        }),
      );
      const s = await h.controller.waitForState(id, 'TASK_FAILED');
      assert.equal(s.reason, 'REASON_FETCH_FAILED', id);
      assert.match(s.message, failure, id);
    }
    assert.equal(readFileSync(target, 'utf8'), 'untouched\n');
  } finally {
    await srv.close();
    await h.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});

test('health checks: command, HTTP and TCP; an unhealthy task is killed', async (t) => {
  if (!needCgroups(t)) return;
  const srv = await fileServer({});
  const port = Number(new URL(srv.url).port);
  const h = await startHarness();
  try {
    // Healthy while the file exists, then unhealthy: killed after 2 failures.
    h.controller.launch(
      shellTask('cmd', 'touch healthy; sleep 3; rm healthy; exec sleep 1000', {
        extra: {
          health_check: {
            type: 'COMMAND',
            command: 'test -f healthy',
            interval_seconds: 0.2,
            timeout_seconds: 1,
            consecutive_failures: 2,
            // The first checks may run before `touch` (or time out while a loaded machine
            // starts the shell): the grace period hides them. With 0.5 s and a 1 s window
            // of health, a fresh-clone CI run once saw the task only unhealthy.
            grace_period_seconds: 2,
            kill_when_unhealthy: true,
          },
        },
      }),
    );
    h.controller.launch(
      shellTask('http', 'exec sleep 1000', {
        extra: {
          health_check: {
            type: 'HTTP',
            port,
            path: '/health',
            interval_seconds: 0.2,
            timeout_seconds: 1,
          },
        },
      }),
    );
    h.controller.launch(
      shellTask('tcp', 'exec sleep 1000', {
        extra: {
          // Nothing listens on port 1; the 0.5 s grace hides the first failures only.
          health_check: {
            type: 'TCP',
            port: 1,
            interval_seconds: 0.2,
            timeout_seconds: 1,
            grace_period_seconds: 0.5,
            consecutive_failures: 1,
          },
        },
      }),
    );
    const killed = await h.controller.waitForState('cmd', 'TASK_KILLED', 15_000);
    assert.equal(killed.reason, 'REASON_TASK_UNHEALTHY');
    assert.match(killed.message, /health check failed 2 times in a row: command exited 1/);
    const healthUpdates = (h.controller.deliveries.get('cmd') ?? [])
      .filter((d) => d.status.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED')
      .map((d) => d.status.healthy);
    assert.deepEqual(healthUpdates, [true, false]);

    await h.controller.waitFor(
      () => (h.controller.deliveries.get('http') ?? []).some((d) => d.status.healthy === true),
      5000,
      'http healthy',
    );
    await h.controller.waitFor(
      () => (h.controller.deliveries.get('tcp') ?? []).some((d) => d.status.healthy === false),
      5000,
      'tcp unhealthy',
    );
    const tcpStates = h.controller.states('tcp');
    assert.ok(!tcpStates.includes('TASK_KILLED'), 'not killed without kill_when_unhealthy');
  } finally {
    await srv.close();
    await h.cleanup();
  }
});
