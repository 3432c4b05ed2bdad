// The allocator's decisions and the completed frameworks on a real controller, agent and
// SDK frameworks over loopback gRPC: GET /decisions lists the offers a framework was made
// and those it declined with the filter it asked for; a role at its quota limit, and a
// role whose offer would eat another role's guarantee, are recorded as held back (once per
// spell); a torn-down framework leaves the live list for the stream's `completed`
// collection and takes its decisions with it; bad queries get 4xx and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { Decision } from '../../../src/controller/decisions.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import { API_VERSION } from '../../../src/store/types.js';
import { authHeader } from '../../support/auth.js';
import { eventually, framework, startAgent, startController } from '../controller/support.js';

let controller: Controller;
let store: EmbeddedStore;
let agent: Agent;
const clients: SchedulerClient[] = [];

before(async () => {
  ({ controller, store } = await startController());
  agent = await startAgent(controller.grpcAddress, 'cpus:4;mem:4096', 'decisions-node');
});
after(async () => {
  for (const c of clients) c.close();
  await agent.stop();
  await controller.stop();
  await store.close();
});

function base(): string {
  return `http://127.0.0.1:${controller.httpPort}`;
}

async function decisions(id: string): Promise<Decision[]> {
  const res = await fetch(`${base()}/decisions?framework=${encodeURIComponent(id)}`, {
    headers: authHeader(),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { decisions: Decision[] }).decisions;
}

async function subscribe(name: string, role: string, onOffers?: (c: SchedulerClient) => void) {
  const c = framework(controller.grpcAddress, name, [role]);
  clients.push(c);
  onOffers?.(c);
  return { client: c, id: await c.start() };
}

/** A framework that keeps its offers (the SDK declines offers nobody listens for). */
function holdOffers(c: SchedulerClient): void {
  c.on('offers', () => undefined);
}

async function waitFor(id: string, what: string, pred: (d: Decision[]) => boolean) {
  let last: Decision[] = [];
  await eventually(
    async () => pred((last = await decisions(id))),
    20_000,
    () => `${what}; decisions: ${JSON.stringify(last)}`,
  );
  return last;
}

test('offers made and offers declined with their refuse filter', async () => {
  const { client, id } = await subscribe('decliner', 'dec', (c) => {
    c.on('offers', (offers) => {
      c.decline(
        offers.map((o) => o.id),
        30,
      ).catch(() => undefined);
    });
  });
  const list = await waitFor(id, 'an offer and its decline', (d) =>
    d.some((x) => x.kind === 'declined'),
  );
  const offered = list.find((d) => d.kind === 'offered');
  assert.ok(offered, 'the offer is recorded');
  assert.deepEqual(offered.roles, ['dec']);
  assert.equal(offered.offers, 1);
  assert.match(offered.resources ?? '', /cpus:4/);
  const declined = list.find((d) => d.kind === 'declined');
  assert.ok(declined);
  assert.equal(declined.refuseSeconds, 30);
  assert.equal(declined.offers, 1);
  assert.ok(declined.seq > offered.seq, 'decisions come in order');
  // `since` returns only what is newer.
  const res = await fetch(
    `${base()}/decisions?framework=${encodeURIComponent(id)}&since=${declined.seq}`,
    { headers: authHeader() },
  );
  assert.deepEqual(((await res.json()) as { decisions: Decision[] }).decisions, []);
  await client.teardown();
});

test('a role at its quota limit, and one kept from a guarantee, are held back once', async () => {
  await store.create({
    apiVersion: API_VERSION,
    kind: 'Role',
    metadata: { name: 'capped' },
    spec: { quota: { limit: { cpus: 1 } } },
  });
  // The capped framework keeps its first offer (1 cpu) outstanding: offered counts as
  // consumed, so from then on the role is at its limit.
  const capped = await subscribe('capped-fw', 'capped', holdOffers);
  const list = await waitFor(capped.id, 'a hold-back by the role limit', (d) =>
    d.some((x) => x.kind === 'held-back'),
  );
  const held = list.filter((d) => d.kind === 'held-back');
  assert.equal(held.length, 1, 'a lasting hold-back is one decision, not one per pass');
  const [first] = held;
  assert.ok(first);
  assert.equal(first.cause, 'role-limit');
  assert.equal(first.limitedBy, 'capped');
  assert.deepEqual(first.roles, ['capped']);
  assert.match(list.find((d) => d.kind === 'offered')?.resources ?? '', /cpus:1(?![0-9.])/);

  // Every cpu left is owed to a guarantee of a role nobody uses yet: a framework of
  // another role is held back by quota, not by a limit of its own.
  await store.create({
    apiVersion: API_VERSION,
    kind: 'Role',
    metadata: { name: 'owed' },
    spec: { quota: { guarantee: { cpus: 3 } } },
  });
  const starved = await subscribe('starved-fw', 'other', holdOffers);
  const s = await waitFor(starved.id, 'a hold-back by quota', (d) =>
    d.some((x) => x.kind === 'held-back'),
  );
  const h = s.find((d) => d.kind === 'held-back');
  assert.ok(h);
  assert.equal(h.cause, 'quota');
  assert.equal(h.limitedBy, undefined);
  assert.equal(s.filter((d) => d.kind === 'offered').length, 0);
  await capped.client.teardown();
  await starved.client.teardown();
  await store.delete('Role', 'owed');
});

test('a torn-down framework is listed as completed and its decisions go with it', async () => {
  const { client, id } = await subscribe('short-lived', 'gone');
  await waitFor(id, 'an offer', (d) => d.length > 0);
  await client.teardown();
  await eventually(
    () => Promise.resolve(!controller.core.frameworks.has(id)),
    10_000,
    () => 'the framework to be removed',
  );
  const res = await fetch(`${base()}/decisions?framework=${encodeURIComponent(id)}`, {
    headers: authHeader(),
  });
  assert.equal(res.status, 404);
  // The stream's first event carries the completed frameworks.
  const abort = new AbortController();
  const stream = await fetch(`${base()}/events`, { headers: authHeader(), signal: abort.signal });
  assert.ok(stream.body);
  let text = '';
  for await (const chunk of stream.body.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes('\n\n')) break;
  }
  abort.abort();
  const data = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? '{}') as {
    completed: Partial<Record<string, { name: string; reason: string; roles: string[] }>>;
    frameworks: Partial<Record<string, unknown>>;
  };
  assert.equal(data.frameworks[id], undefined);
  const done = data.completed[id];
  assert.ok(done, 'the framework is among the completed');
  assert.equal(done.name, 'short-lived');
  assert.equal(done.reason, 'teardown requested');
  assert.deepEqual(done.roles, ['gone']);
});

const BAD: [string, string, number][] = [
  ['no framework', '/decisions', 400],
  ['an unknown framework', '/decisions?framework=nope', 404],
  ['a negative since', '/decisions?framework=x&since=-1', 400],
  ['an unknown parameter', '/decisions?framework=x&all=1', 400],
  ['a control character', '/decisions?framework=%01', 400],
];

for (const [what, path, status] of BAD) {
  test(`GET /decisions with ${what} is ${status}`, async () => {
    const res = await fetch(`${base()}${path}`, { headers: authHeader() });
    assert.equal(res.status, status, await res.text());
  });
}

test('GET /decisions without a token is 401', async () => {
  const res = await fetch(`${base()}/decisions?framework=x`);
  assert.equal(res.status, 401);
});
