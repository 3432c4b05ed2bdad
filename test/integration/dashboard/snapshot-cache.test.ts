// The dashboard's view served from remembered texts (dashboard-json.ts) on simulated agents
// over real gRPC: after launches, a task finishing and an agent lost, the remembered view
// is exactly the view built afresh, and a page that opens late gets a snapshot equal to
// what a page open all along holds after its deltas (the joined snapshot is not stale).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import {
  DashboardJson,
  serializeView,
  snapshotOf,
} from '../../../src/controller/http/dashboard-json.js';
import {
  dashboardView,
  newIdentity,
  type StoredObjects,
} from '../../../src/controller/http/dashboard-view.js';
import { startSimAgents } from '../../../src/sim/index.js';
import { TEST_TOKEN } from '../../support/auth.js';
import { startController, until } from '../controller/support.js';
import { launchFinishLoseAgent } from '../sim/support.js';
import { readEventStream } from './event-stream.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

type State = Record<string, Record<string, unknown>>;

/** A page's stream: its snapshot, then its state with every delta applied so far. */
async function page(url: string) {
  const got: { snapshot?: State; state?: State } = {};
  const stream = await readEventStream(url, (event, data) => {
    if (event === 'snapshot') {
      got.snapshot = JSON.parse(data) as State;
      got.state = JSON.parse(data) as State;
      return;
    }
    const d = JSON.parse(data) as { upsert: State; remove: Record<string, string[]> };
    const state = got.state ?? {};
    for (const [name, items] of Object.entries(d.upsert))
      state[name] = { ...state[name], ...items };
    for (const [name, ids] of Object.entries(d.remove))
      for (const id of ids) delete state[name]?.[id];
  });
  return {
    got,
    close: async () => {
      stream.close();
      await stream.closed;
    },
  };
}

test('the remembered view is the view built afresh, after every kind of change', async () => {
  const { controller, store } = await startController(undefined, 0, {
    agentPingIntervalMs: 200,
    agentPingTimeoutMs: 800,
  });
  cleanup.push(async () => {
    await controller.stop();
    await store.close();
  });
  const core = controller.core;
  const agentsSim = await startSimAgents({
    controller: controller.grpcAddress,
    token: TEST_TOKEN,
    count: 6,
    prefix: 'dash',
    reconnectMinSeconds: 0.05,
    reconnectMaxSeconds: 0.5,
  });
  cleanup.push(() => agentsSim.close());
  await agentsSim.allRegistered();

  const url = `http://127.0.0.1:${String(controller.httpPort)}/events`;
  // Open throughout: the controller's feed keeps its view and snapshot between pages.
  const along = await page(url);
  cleanup.push(() => along.close());

  const identity = newIdentity(0);
  const stored: StoredObjects = { App: new Map(), Schedule: new Map(), Role: new Map() };
  const remembered = new DashboardJson(core);
  const checkpoints: string[] = [];
  const check = async (what: string) => {
    // Both on one turn of the event loop: nothing changes in between.
    const offerSeen = new Map(core.offers.all().map((o) => [o.id, 0]));
    const text = snapshotOf(remembered.serialize(identity, stored, offerSeen));
    const fresh = snapshotOf(serializeView(dashboardView(core, identity, stored, offerSeen)));
    assert.equal(text, fresh, `the view after ${what}`);
    checkpoints.push(text);
    // The page open all along gets the changes through the feed's deltas...
    const now = () => {
      const seen = new Map(core.offers.all().map((o) => [o.id, 0]));
      const view = dashboardView(core, identity, stored, seen);
      const plain = [...view].map(([name, items]) => [name, Object.fromEntries(items)]);
      return JSON.parse(JSON.stringify(Object.fromEntries(plain))) as State;
    };
    await until(
      () => {
        const data = now();
        return (
          isDeepStrictEqual(along.got.state?.tasks, data.tasks) &&
          isDeepStrictEqual(along.got.state?.agents, data.agents)
        );
      },
      10_000,
      `the open page to show ${what}`,
    );
    // ...and a page opening now gets what it holds, not a snapshot joined before (retried
    // while later changes, e.g. offers, are still on their way to the open page).
    let last: State | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const late = await page(url);
      await until(() => late.got.snapshot !== undefined, 10_000, `the late snapshot (${what})`);
      await late.close();
      last = late.got.snapshot;
      if (isDeepStrictEqual(last, along.got.state)) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.fail(
      `a late page's snapshot never matched the open page after ${what}: ${JSON.stringify(last)}`,
    );
  };
  await check('registration');

  await launchFinishLoseAgent({
    controller,
    agents: agentsSim,
    name: 'dash-check',
    check,
    cleanup,
  });
  // Each change showed in the view: no stale text was served.
  assert.equal(new Set(checkpoints).size, checkpoints.length);
});
