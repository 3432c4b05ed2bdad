// The wire details of Mesos' scheduler API, table by table: stream IDs, status codes,
// content negotiation, enum names and numbers, unknown fields, refusals of what Mezzo
// does not have, offers no longer outstanding, failover between subscriptions, and the
// 307 a standby answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller } from '../../../src/controller/controller.js';
import { startStandbyHttp } from '../../../src/controller/http/standby.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { until } from '../controller/support.js';
import { authHeader, testAccess } from '../../support/auth.js';
import { startCluster, type Cluster } from './support.js';
import { request, type IncomingMessage } from 'node:http';
import {
  encodeCall,
  mesosCall,
  mesosSubscribe,
  mesosTypes,
  post,
  RecordIoReader,
  type MesosSubscription,
  type MesosTestEvent,
} from '../../support/mesos-http.js';

let cluster: Cluster;
let controller: Controller;
let url: string;
const cleanup: (() => Promise<void> | void)[] = [];

before(async () => {
  cluster = await startCluster('mesos-conf-a');
  cluster.onStop.push(async () => {
    for (const c of cleanup) await c();
  });
  controller = cluster.controller;
  url = `${cluster.http}/api/v1/scheduler`;
});
after(() => cluster.stop());

const info = (name: string, id?: string) => ({
  user: 'nobody',
  name,
  roles: [name],
  failover_timeout: 60,
  ...(id ? { id: { value: id } } : {}),
});

async function subscribed(
  name: string,
  id?: string,
): Promise<{ sub: MesosSubscription; fwId: string }> {
  const sub = await mesosSubscribe(
    url,
    { type: 'SUBSCRIBE', subscribe: { framework_info: info(name, id) } },
    'json',
  );
  cleanup.push(() => sub.close());
  assert.equal(sub.status, 200);
  const e = await sub.next((x) => x.type === 'SUBSCRIBED', 'SUBSCRIBED');
  return { sub, fwId: e.subscribed?.framework_id.value ?? '' };
}

test('status codes of calls', async () => {
  const { sub, fwId } = await subscribed('conf-codes');
  const fw = { value: fwId };
  const json = { 'content-type': 'application/json' };
  const proto = { 'content-type': 'application/x-protobuf' };
  const cases: {
    what: string;
    body: Buffer;
    headers: Record<string, string>;
    status: number;
    says?: RegExp;
  }[] = [
    {
      what: 'a REVIVE',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
    {
      what: 'an enum by number (5 = REVIVE)',
      body: encodeCall({ type: 5, framework_id: fw }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
    {
      what: 'unknown fields',
      body: encodeCall(
        { type: 'REVIVE', framework_id: fw, revive: { roles: [], future: 1 }, extra: { a: 1 } },
        'json',
      ),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
    {
      // Mesos' parser reads null as unset; Go's encoding/json writes null for empty slices.
      what: 'null fields',
      body: Buffer.from(
        JSON.stringify({
          type: 'REVIVE',
          framework_id: { value: fwId },
          revive: { roles: null },
          decline: null,
          reconcile: { tasks: [null] },
        }),
      ),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
    {
      what: 'protobuf: unknown fields (99 varint, 100 bytes)',
      body: Buffer.concat([
        encodeCall({ type: 'REVIVE', framework_id: fw }, 'protobuf'),
        Buffer.from('980601a20603616263', 'hex'),
      ]),
      headers: { ...proto, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
    {
      what: 'protobuf: an unknown enum number (type 99)',
      body: Buffer.concat([
        encodeCall({ framework_id: fw }, 'protobuf'),
        Buffer.from('1063', 'hex'),
      ]),
      headers: { ...proto, 'mesos-stream-id': sub.streamId },
      status: 400,
      says: /99 is not a value of Type/,
    },
    {
      what: 'protobuf: no stream ID',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'protobuf'),
      headers: proto,
      status: 400,
      says: /Mesos-Stream-Id/,
    },
    {
      what: 'protobuf: another stream ID',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'protobuf'),
      headers: { ...proto, 'mesos-stream-id': 'not-it' },
      status: 403,
      says: /not framework .* current subscription/,
    },
    {
      what: 'protobuf: a stream ID on SUBSCRIBE',
      body: encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: info('x') } }, 'protobuf'),
      headers: { ...proto, 'mesos-stream-id': sub.streamId },
      status: 400,
      says: /must not carry/,
    },
    {
      what: 'no stream ID',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'json'),
      headers: json,
      status: 400,
      says: /Mesos-Stream-Id/,
    },
    {
      what: 'another stream ID',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'json'),
      headers: { ...json, 'mesos-stream-id': 'not-it' },
      status: 403,
    },
    {
      what: 'an unknown framework',
      body: encodeCall({ type: 'REVIVE', framework_id: { value: 'nobody-knows' } }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 403,
    },
    {
      what: 'a stream ID on SUBSCRIBE',
      body: encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: info('x') } }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 400,
    },
    { what: 'malformed JSON', body: Buffer.from('{"type":'), headers: json, status: 400 },
    {
      what: 'an unknown enum name',
      body: encodeCall({ type: 'LAUNCH_ROCKET', framework_id: fw }, 'json'),
      headers: json,
      status: 400,
      says: /LAUNCH_ROCKET/,
    },
    {
      what: 'a field of the wrong type',
      body: encodeCall({ type: 'REVIVE', framework_id: { value: 7 } }, 'json'),
      headers: json,
      status: 400,
      says: /framework_id\.value/,
    },
    {
      what: 'a missing required field',
      body: encodeCall(
        { type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'no-user' } } },
        'json',
      ),
      headers: json,
      status: 400,
      says: /user/,
    },
    {
      what: 'truncated protobuf',
      body: encodeCall({ type: 'REVIVE', framework_id: fw }, 'protobuf').subarray(0, 4),
      headers: { 'content-type': 'application/x-protobuf', 'mesos-stream-id': sub.streamId },
      status: 400,
    },
    {
      what: 'another content type',
      body: Buffer.from('type=REVIVE'),
      headers: { 'content-type': 'text/plain' },
      status: 415,
    },
    {
      what: 'MESSAGE (no executors)',
      body: encodeCall(
        {
          type: 'MESSAGE',
          framework_id: fw,
          message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: 'aGk=' },
        },
        'json',
      ),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 400,
      says: /executor/,
    },
    {
      what: 'inverse offers',
      body: encodeCall({ type: 'ACCEPT_INVERSE_OFFERS', framework_id: fw }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 400,
      says: /not supported/,
    },
    {
      what: 'REVIVE of a foreign role',
      body: encodeCall({ type: 'REVIVE', framework_id: fw, revive: { roles: ['other'] } }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 400,
      says: /other/,
    },
    {
      what: 'REQUEST (a no-op, as in Mesos)',
      body: encodeCall({ type: 'REQUEST', framework_id: fw, request: { requests: [] } }, 'json'),
      headers: { ...json, 'mesos-stream-id': sub.streamId },
      status: 202,
    },
  ];
  for (const c of cases) {
    const res = await post(url, c.body, c.headers);
    assert.equal(res.status, c.status, `${c.what}: ${res.body}`);
    if (c.says) assert.match(res.body, c.says, c.what);
  }
  assert.ok(controller.core.frameworks.get(fwId)?.connected, 'no call hurt the subscription');
  const notAcceptable = await post(
    url,
    encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: info('conf-406') } }, 'json'),
    { ...json, accept: 'text/html' },
  );
  assert.equal(notAcceptable.status, 406);
  // Its offers go back for the next test's framework.
  const down = await mesosCall(url, { type: 'TEARDOWN', framework_id: fw }, 'json', sub.streamId);
  assert.equal(down.status, 202);
});

test('what Mezzo cannot run is refused by name, and offers no longer outstanding lose the tasks', async () => {
  const { sub, fwId } = await subscribed('conf-refuse');
  const offers = await sub.next((e) => (e.offers?.offers.length ?? 0) > 0, 'an offer');
  const offer = offers.offers?.offers[0];
  assert.ok(offer);
  const call = (body: object) =>
    mesosCall(url, { framework_id: { value: fwId }, ...body }, 'json', sub.streamId);
  const task = (id: string, extra: object) => ({
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    command: { value: 'true' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    ],
    ...extra,
  });
  const launch = (t: object) => ({ type: 'LAUNCH', launch: { task_infos: [t] } });
  const refusals: { what: string; op: object; says: RegExp }[] = [
    {
      what: 'a container',
      op: launch(task('c1', { container: { type: 'DOCKER' } })),
      says: /container/,
    },
    {
      what: 'an executor',
      op: launch(task('c2', { executor: { executor_id: { value: 'e' } } })),
      says: /executor/,
    },
    {
      what: 'a secret',
      op: launch(
        task('c3', {
          command: {
            value: 'true',
            environment: { variables: [{ name: 'S', type: 'SECRET', secret: {} }] },
          },
        }),
      ),
      says: /secret/,
    },
    {
      what: 'a persistent volume',
      op: launch(
        task('c4', {
          resources: [
            {
              name: 'disk',
              type: 'SCALAR',
              scalar: { value: 1 },
              disk: { persistence: { id: 'p' } },
            },
          ],
        }),
      ),
      says: /disk/,
    },
    {
      what: 'LAUNCH_GROUP under a CUSTOM executor',
      op: {
        type: 'LAUNCH_GROUP',
        launch_group: {
          executor: { type: 'CUSTOM', executor_id: { value: 'e' }, command: { value: 'x' } },
          task_group: { tasks: [task('c5', {})] },
        },
      },
      says: /executor e: CUSTOM executors are not supported by Mezzo/,
    },
    { what: 'CREATE (volumes)', op: { type: 'CREATE' }, says: /CREATE/ },
  ];
  for (const r of refusals) {
    const res = await call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [r.op] },
    });
    assert.equal(res.status, 400, r.what);
    assert.match(res.body, r.says, r.what);
  }
  assert.ok(
    controller.core.offers.get(offer.id.value),
    'a refused call leaves the offer outstanding',
  );
  // An offer declined, then accepted: the call is well formed (202); the task is lost.
  assert.equal(
    (
      await call({
        type: 'DECLINE',
        decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0.1 } },
      })
    ).status,
    202,
  );
  assert.equal(controller.core.offers.get(offer.id.value), undefined, 'declined');
  const late = await call({
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations: [launch(task('late', {}))] },
  });
  assert.equal(late.status, 202, late.body);
  const lost = await sub.next((e) => e.update?.status.task_id.value === 'late', 'the late task');
  assert.equal(lost.update?.status.state, 'TASK_LOST');
  assert.equal(lost.update.status.reason, 'REASON_INVALID_OFFERS');
  assert.equal(controller.core.tasks.get('late'), undefined, 'nothing launched');
});

test('failover: a new subscription supersedes the old stream and its stream ID', async () => {
  const first = await subscribed('conf-failover');
  const second = await subscribed('conf-failover', first.fwId);
  assert.equal(second.fwId, first.fwId, 'the framework keeps its ID');
  assert.notEqual(second.sub.streamId, first.sub.streamId);
  await first.sub.next((e) => e.type === 'ERROR', 'the old stream told');
  await until(() => first.sub.ended, 10_000, 'the old stream to end');
  const revive = (streamId: string) =>
    mesosCall(url, { type: 'REVIVE', framework_id: { value: first.fwId } }, 'json', streamId);
  assert.equal((await revive(first.sub.streamId)).status, 403);
  assert.equal((await revive(second.sub.streamId)).status, 202);
  // The connection drops: calls are refused until it subscribes again; its ID survives.
  second.sub.close();
  await until(
    () => controller.core.frameworks.get(first.fwId)?.connected === false,
    10_000,
    'the disconnection',
  );
  assert.equal((await revive(second.sub.streamId)).status, 403);
  const third = await subscribed('conf-failover', first.fwId);
  assert.equal(third.fwId, first.fwId);
  assert.equal((await revive(third.sub.streamId)).status, 202);
});

test('a standby redirects Mesos calls to the leader with 307', async () => {
  const standby = await startStandbyHttp(
    { logger: silentLogger(), metrics: new MetricsRegistry(), component: 'controller' },
    testAccess,
    '127.0.0.1',
    0,
    () => '10.1.2.3:5050',
  );
  cleanup.push(() => new Promise<void>((r) => standby.server.close(() => r())));
  for (const format of ['json', 'protobuf'] as const) {
    const res = await mesosCall(
      `http://127.0.0.1:${String(standby.port)}/api/v1/scheduler`,
      { type: 'SUBSCRIBE', subscribe: { framework_info: info('x') } },
      format,
    );
    assert.equal(res.status, 307, format);
    assert.equal(res.headers.location, 'http://10.1.2.3:5050/api/v1/scheduler');
  }
});

test('RecordIO and bodies split across chunks, in both formats', async () => {
  for (const format of ['json', 'protobuf'] as const) {
    // The SUBSCRIBE body arrives one byte per chunk; its event stream is kept raw.
    const body = encodeCall(
      { type: 'SUBSCRIBE', subscribe: { framework_info: info(`conf-split-${format}`) } },
      format,
    );
    const type = format === 'json' ? 'application/json' : 'application/x-protobuf';
    const raw: Buffer[] = [];
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': type, accept: type, ...authHeader() } },
        resolve,
      );
      req.on('error', reject);
      for (const byte of body) req.write(Buffer.from([byte]));
      req.end();
    });
    cleanup.push(() => {
      res.destroy();
    });
    assert.equal(res.statusCode, 200, format);
    res.on('data', (c: Buffer) => raw.push(c));
    const records = () => new RecordIoReader().push(Buffer.concat(raw));
    await until(() => records().length >= 1, 10_000, `SUBSCRIBED over ${format}`);
    const decode = (r: Buffer) =>
      format === 'json'
        ? (JSON.parse(r.toString('utf8')) as MesosTestEvent)
        : (mesosTypes().event.toObject(mesosTypes().event.decode(r), {
            enums: String,
          }) as MesosTestEvent);
    const [first] = records();
    assert.ok(first);
    const subscribed = decode(first);
    assert.equal(subscribed.type, 'SUBSCRIBED', format);
    // A second record: the answer to a reconciliation of a task that does not exist.
    const reconcile = await mesosCall(
      url,
      {
        type: 'RECONCILE',
        framework_id: subscribed.subscribed?.framework_id,
        reconcile: { tasks: [{ task_id: { value: 'no-such-task' } }] },
      },
      format,
      String(res.headers['mesos-stream-id']),
    );
    assert.equal(reconcile.status, 202, reconcile.body);
    await until(
      () => records().some((r) => decode(r).update?.status.task_id.value === 'no-such-task'),
      10_000,
      `the reconciliation's UPDATE over ${format}`,
    );
    const bytes = Buffer.concat(raw);
    const whole = new RecordIoReader().push(bytes);
    // The same stream read a byte at a time gives the same records.
    const split = new RecordIoReader();
    const pieces: Buffer[] = [];
    for (const byte of bytes) pieces.push(...split.push(Buffer.from([byte])));
    assert.deepEqual(
      pieces.map((p) => p.toString('hex')),
      whole.map((r) => r.toString('hex')),
      format,
    );
  }
});
