// The dashboard's routes on a real controller and store. GET /events: a snapshot first,
// then deltas that name only what changed; a page opening after all closed gets the view
// as it is then; a client that stops reading is dropped once its
// backlog passes the bound while another keeps its stream; streams past the limit are
// refused with 503. GET / and /ui/: the shell under a strict policy, its modules, and 404
// for any other path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Controller } from '../../../src/controller/controller.js';
import { newIdentity } from '../../../src/controller/http/dashboard-view.js';
import { DashboardFeed, eventsRoute } from '../../../src/controller/http/events-stream.js';
import { createHttpApp, listenHttp } from '../../../src/shared/http/server.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import type { StoredObject } from '../../../src/store/types.js';
import { startController, until } from '../controller/support.js';
import { authHeader } from '../../support/auth.js';
import { readEventStream } from './event-stream.js';

interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A reading client: every event it got so far, and how to close it. */
interface Reader {
  events: StreamEvent[];
  closed: Promise<void>;
  close(): void;
}

async function open(url: string): Promise<Reader> {
  const events: StreamEvent[] = [];
  const stream = await readEventStream(url, (event, data) => {
    events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  });
  return { events, ...stream };
}

function app(name: string, command = 'sleep 1000'): StoredObject {
  return {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'App',
    metadata: { name, namespace: 'default' },
    spec: { command, instances: 0 },
  };
}

let controller: Controller;
let store: EmbeddedStore;
before(async () => {
  ({ controller, store } = await startController());
});
after(async () => {
  await controller.stop();
  await store.close();
});

test('a snapshot first, then deltas with only the items that changed', async () => {
  const r = await open(`http://127.0.0.1:${controller.httpPort}/events`);
  try {
    await until(() => r.events.length >= 1, 10_000, 'the snapshot');
    const first = r.events[0];
    assert.equal(first?.event, 'snapshot');
    assert.deepEqual(Object.keys(first.data).sort(), [
      'agents',
      'apps',
      'completed',
      'controller',
      'frameworks',
      'offers',
      'roles',
      'schedules',
      'tasks',
    ]);
    assert.deepEqual(first.data.apps, {});

    await store.create(app('web'));
    await until(() => r.events.length >= 2, 10_000, 'a delta after the App was created');
    const added = r.events[1];
    assert.equal(added?.event, 'delta');
    // The delta carries the one new App and nothing that did not change.
    assert.deepEqual(Object.keys(added.data.upsert as object), ['apps']);
    assert.deepEqual(Object.keys((added.data.upsert as Record<string, object>).apps ?? {}), [
      'default/web',
    ]);
    assert.deepEqual(added.data.remove, {});

    await store.delete('App', 'web', 'default');
    await until(() => r.events.length >= 3, 10_000, 'a delta after the App was deleted');
    assert.deepEqual(r.events[2]?.data, { upsert: {}, remove: { apps: ['default/web'] } });
  } finally {
    r.close();
    await r.closed;
  }
});

/** A feed of two streams at most, 64 KiB each, a tick every 50 ms, on its own server. */
async function smallFeed() {
  const feed = new DashboardFeed(controller.core, store, newIdentity(Date.now()), {
    maxClients: 2,
    maxBufferedBytes: 64 * 1024,
    tickMs: 50,
    heartbeatMs: 60_000,
  });
  const http = createHttpApp({
    boundary: { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'test' },
  });
  eventsRoute(http, feed);
  return { feed, ...(await listenHttp(http, '127.0.0.1', 0)) };
}

test('a page opening after every page closed gets the view as it is then', async () => {
  const { feed, server, port } = await smallFeed();
  const url = `http://127.0.0.1:${port}/events`;
  // Opens a page, reads its snapshot, closes it and waits until the feed has no page.
  const snapshotAlone = async () => {
    const r = await open(url);
    try {
      await until(() => r.events.length >= 1, 10_000, 'the snapshot');
      return r.events[0]?.data ?? {};
    } finally {
      r.close();
      await r.closed;
      await until(() => feed.open === 0, 10_000, 'no page open');
    }
  };
  const appNames = (snapshot: Record<string, unknown>) => Object.keys(snapshot.apps ?? {});
  try {
    const first = await snapshotAlone();
    assert.ok(!appNames(first).includes('default/while-closed'));
    // Changes made while no page is open (no tick runs) are in the next page's snapshot.
    await store.create(app('while-closed'));
    const second = await snapshotAlone();
    assert.ok(appNames(second).includes('default/while-closed'), appNames(second).join(' '));
    const cur = await store.get('App', 'while-closed', 'default');
    assert.ok(cur);
    await store.update({ ...cur, spec: { ...cur.spec, command: 'sleep 2' } });
    const third = await snapshotAlone();
    const changed = (third.apps as Record<string, { spec: { command: string } }>)[
      'default/while-closed'
    ];
    assert.equal(changed?.spec.command, 'sleep 2');
    await store.delete('App', 'while-closed', 'default');
    const fourth = await snapshotAlone();
    assert.ok(!appNames(fourth).includes('default/while-closed'));
    // Nothing changed since: the same view again.
    assert.deepEqual(await snapshotAlone(), fourth);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('a client that stops reading is dropped past its bound; another keeps its stream', async () => {
  const { feed, server, port } = await smallFeed();
  // A client that sends its request and never reads a byte of the answer.
  const slow = connect(port, '127.0.0.1');
  slow.write(`GET /events HTTP/1.1\r\nHost: x\r\n\r\n`);
  slow.pause();
  const fast = await open(`http://127.0.0.1:${port}/events`);
  try {
    await until(() => feed.open === 2, 10_000, 'both streams open');
    const third = await fetch(`http://127.0.0.1:${port}/events`);
    assert.equal(third.status, 503);
    assert.equal(
      ((await third.json()) as { error: { code: string } }).error.code,
      'TOO_MANY_STREAMS',
    );

    // Each round changes 40 Apps of 30 KB each: a 1.2 MB delta that the slow client's
    // socket buffers absorb only a few times over.
    const big = 'x'.repeat(30_000);
    for (let i = 0; i < 40; i++) await store.create(app(`big-${i}`, `echo ${big}`));
    for (let round = 0; feed.dropped === 0 && round < 60; round++) {
      for (let i = 0; i < 40; i++) {
        const cur = await store.get('App', `big-${i}`, 'default');
        assert.ok(cur);
        await store.update({ ...cur, spec: { ...cur.spec, command: `echo ${round} ${big}` } });
      }
      const seen = fast.events.length;
      await until(() => fast.events.length > seen, 10_000, `the fast client's delta ${round}`);
    }
    assert.equal(feed.dropped, 1, 'the slow client was dropped');
    assert.equal(feed.open, 1);
    // The fast client still gets what changes.
    const seen = fast.events.length;
    await store.delete('App', 'big-0', 'default');
    await until(
      () => fast.events.slice(seen).some((e) => JSON.stringify(e.data.remove).includes('big-0')),
      10_000,
      'the fast client to see the deletion',
    );
  } finally {
    slow.destroy();
    fast.close();
    await fast.closed;
    for (let i = 0; i < 40; i++) await store.delete('App', `big-${i}`, 'default');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  // The last stream gone, the feed stops (no timers left to keep the process alive).
  await until(() => feed.open === 0, 10_000, 'every stream closed');
});

test('a snapshot larger than the bound does not count against it: the page still reading it stays', async () => {
  const { feed, server, port } = await smallFeed();
  // 250 Apps of 30 KB (a command's most is 32 KiB): a 7.5 MB snapshot, more than
  // loopback's socket buffers take.
  const big = 'y'.repeat(30_000);
  const names = Array.from({ length: 250 }, (_, i) => `snap-${i}`);
  for (const n of names) await store.create(app(n, `echo ${big}`));
  const fast = await open(`http://127.0.0.1:${port}/events`);
  // What the late page has read: only markers are kept, not the 7.5 MB.
  const late = connect(port, '127.0.0.1');
  let tail = '';
  const seen = new Set<string>();
  const markers = ['event: snapshot', 'snap-249', 'event: delta', 'after-snapshot'];
  try {
    // The Apps the fast client knows of, from its snapshot and deltas.
    const known = () =>
      new Set(
        fast.events.flatMap((e) => {
          const d = e.data as Record<string, Record<string, unknown> | undefined>;
          return Object.keys(e.event === 'snapshot' ? (d.apps ?? {}) : (d.upsert?.apps ?? {}));
        }),
      );
    await until(() => names.every((n) => known().has(`default/${n}`)), 60_000, 'the Apps');
    // A page that has not yet read its snapshot when the next delta comes.
    late.pause();
    late.on('data', (c: Buffer) => {
      const text = tail + c.toString('latin1');
      for (const m of markers) if (text.includes(m)) seen.add(m);
      tail = text.slice(-64);
    });
    late.write(`GET /events HTTP/1.1\r\nHost: x\r\n\r\n`);
    await until(() => feed.open === 2, 10_000, 'both streams open');
    await store.create(app('after-snapshot'));
    await until(() => known().has('default/after-snapshot'), 30_000, 'the delta sent to both');
    assert.equal(feed.dropped, 0, 'nobody was dropped for the snapshot');
    late.resume();
    await until(() => seen.size === markers.length, 60_000, 'the late page reads it all');
    assert.equal(feed.dropped, 0);
  } finally {
    late.destroy();
    fast.close();
    await fast.closed;
    for (const n of [...names, 'after-snapshot']) await store.delete('App', n, 'default');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  await until(() => feed.open === 0, 10_000, 'every stream closed');
});

test('the shell and its modules are served with a strict policy; nothing else is', async () => {
  const base = `http://127.0.0.1:${controller.httpPort}`;
  const shell = await fetch(`${base}/`);
  assert.equal(shell.status, 200);
  assert.match(shell.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(shell.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await shell.text();
  assert.match(html, /<script type="module" src="\/ui\/main\.js">/);
  // What a first render needs is named up front (one round of fetches, not one per
  // import level), the entry first: main.js, what it imports (it starts the stream), the
  // shell it imports dynamically and the Overview; each is served. The other pages and
  // the graph's library are imported when visited, so the first render does not wait.
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map(
    (m) => m[1] ?? '',
  );
  assert.equal(preloaded[0], '/ui/main.js');
  for (const m of ['/ui/api.js', '/ui/model.js', '/ui/app.js', '/ui/pages/overview.js'])
    assert.ok(preloaded.includes(m), `${m} preloaded: ${preloaded.join(' ')}`);
  for (const m of ['/ui/pages/tasks.js', '/ui/vendor/dagre.js', '/ui/page.js'])
    assert.ok(!preloaded.includes(m), `${m} not preloaded: ${preloaded.join(' ')}`);
  assert.ok(
    preloaded.indexOf('/ui/model.js') < preloaded.indexOf('/ui/app.js'),
    `what starts the stream comes before the shell: ${preloaded.join(' ')}`,
  );
  for (const m of [...preloaded, '/ui/pages/tasks.js', '/ui/vendor/dagre.js'])
    assert.equal((await fetch(`${base}${m}`)).status, 200, m);
  const main = await fetch(`${base}/ui/main.js`);
  assert.equal(main.status, 200);
  assert.match(main.headers.get('content-type') ?? '', /^text\/javascript/);
  // Its imports, static and dynamic, name modules the same route serves.
  for (const m of (await main.text()).matchAll(/(?:from |import\()'\.\/([a-z/-]+\.js)'/g)) {
    assert.equal((await fetch(`${base}/ui/${m[1] ?? ''}`)).status, 200, m[1]);
  }
  // A HEAD of the stream would hold a slot open with nothing to read: there is none.
  assert.equal(
    (await fetch(`${base}/events`, { method: 'HEAD', headers: authHeader() })).status,
    405,
  );
  for (const path of [
    '/ui/main.js.map',
    '/ui/missing.js',
    '/ui/..%2F..%2Fcontroller%2Fhttp.js',
    '/ui/..%2Fapi.js',
  ]) {
    const res = await fetch(`${base}${path}`, { headers: authHeader() });
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});
