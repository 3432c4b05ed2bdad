/**
 * What the HTTP and gRPC fuzz tests share: fast-check settings (test/support/fuzz.ts), the
 * oracle for an HTTP answer (no 5xx; a 4xx carries the error body), a raw-socket client
 * for requests no HTTP library would send, and a quiet real cluster to aim at: a
 * controller with an embedded store, a real agent running one real task for a real SDK
 * framework, and a few stored objects, so that every route has something to find.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import type { Kind, StoredObject } from '../../../src/store/types.js';
import { cleanCgroupTrees } from '../../support/cgroups.js';
import { framework, launch, startAgent, startController, until } from '../controller/support.js';
import { authHeader } from '../../support/auth.js';

export { FUZZ_SEED, fuzzOptions } from '../../support/fuzz.js';

/** What the fuzz tests learn from one HTTP answer. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * The oracle for one answer: never a 5xx; a 4xx is JSON of the error body's shape
 * (`{"error": {"code", "message", ...}}`) with a non-empty message.
 */
export function assertAnswer(a: Answer, what: string): void {
  assert.ok(a.status >= 200 && a.status < 500, `${what}: HTTP ${a.status} ${a.body.slice(0, 300)}`);
  if (a.status < 400) return;
  assert.match(a.contentType, /^application\/json/, `${what}: error content type`);
  // A HEAD answer has headers only.
  if (a.body === '') return;
  const body = JSON.parse(a.body) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof body.error?.code, 'string', `${what}: error.code in ${a.body}`);
  assert.equal(typeof body.error?.message, 'string', `${what}: error.message in ${a.body}`);
  assert.notEqual(body.error?.message, '', `${what}: empty error.message`);
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Sends `request` as raw bytes on a fresh connection, half-closes it, and parses the
 * first final answer (interim 1xx answers are skipped). Undefined when the server closed
 * the connection without answering.
 */
export function rawRequest(port: number, request: Buffer | string): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in 10 s to ${JSON.stringify(String(request).slice(0, 200))}`));
    }, 10_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      let text = Buffer.concat(chunks).toString('latin1');
      while (/^HTTP\/1\.[01] 1\d\d /.test(text)) text = text.slice(text.indexOf('\r\n\r\n') + 4);
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) {
        resolve(undefined);
        return;
      }
      const head = m[2] ?? '';
      const header = (name: string) =>
        new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
      let body = m[3] ?? '';
      if (/chunked/i.test(header('transfer-encoding'))) body = dechunk(body);
      const length = Number(header('content-length') || NaN);
      if (Number.isInteger(length)) body = body.slice(0, length);
      resolve({
        status: Number(m[1]),
        contentType: header('content-type'),
        body: Buffer.from(body, 'latin1').toString('utf8'),
      });
    });
    socket.on('connect', () => {
      socket.end(request);
    });
  });
}

/** An answer through fetch (for requests an HTTP library can send). */
export async function fetchAnswer(url: string, init?: RequestInit): Promise<Answer> {
  // The test token unless the request names its own authorization.
  const headers = new Headers(init?.headers);
  if (!headers.has('authorization')) headers.set('authorization', authHeader().authorization);
  const res = await fetch(url, { ...init, headers });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: await res.text(),
  };
}

/** The quiet cluster the fuzz tests aim at. */
export interface FuzzCluster {
  controller: Controller;
  store: EmbeddedStore;
  agent: Agent;
  fw: SchedulerClient;
  /** The ID of the task that runs throughout. */
  taskId: string;
  /** http://127.0.0.1:PORT of the controller. */
  http: string;
  /** The agent's HTTP port. */
  agentPort: number;
  /** Names and IDs a fuzzer must not hit by chance (a hit would be a valid request). */
  reserved: ReadonlySet<string>;
  /** Has the well-behaved framework launch one more task and waits until it runs. */
  launchAnother(id: string): Promise<void>;
  stop(): Promise<void>;
}

/** The stored objects every route can find (one of each user kind but Task). */
export const FIXTURES: StoredObject[] = [
  {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'App',
    metadata: { name: 'fuzz-web', namespace: 'default' },
    spec: { instances: 1, command: 'sleep 1', resources: { cpus: 0.1, mem: '32Mi' } },
  },
  {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Schedule',
    metadata: { name: 'fuzz-nightly', namespace: 'default' },
    spec: { schedule: 'R/2030-01-01T00:00:00Z/P1D', command: 'true' },
  },
  {
    apiVersion: 'mezzo.dev/v1alpha1',
    kind: 'Role',
    metadata: { name: 'fuzz-role' },
    spec: { weight: 2 },
  },
];

/** Starts the cluster and waits until its task runs and no offer is outstanding. */
export async function startFuzzCluster(name: string): Promise<FuzzCluster> {
  const dir = mkdtempSync(join(tmpdir(), `mezzo-fuzz-${name}-`));
  const agentDir = mkdtempSync(join(tmpdir(), `mezzo-fuzz-${name}-agent-`));
  const cgroupRoot = `mezzo-fuzz-${name}-${process.pid}`;
  const { controller, store } = await startController(dir);
  const agent = await startAgent(
    controller.grpcAddress,
    'cpus:2;mem:512',
    name,
    '',
    agentDir,
    cgroupRoot,
  );
  for (const o of FIXTURES) await store.create(o);
  const taskId = `fuzz-sleeper-${process.pid}`;
  const fw = framework(controller.grpcAddress, `fuzz-${name}`, ['fuzz']);
  // Tasks to launch on the next offers from the real agent (the first runs throughout).
  const toLaunch = [taskId];
  fw.on('offers', (offers) => {
    for (const o of offers) {
      const next = o.agent_id === agent.id ? toLaunch.shift() : undefined;
      if (next) {
        fw.accept([o.id], [launch(next, o.agent_id, 'sleep 600', 0.1, 32)], 3600).catch(
          () => undefined,
        );
      } else {
        fw.decline([o.id], 3600).catch(() => undefined);
      }
    }
  });
  await fw.start();
  await until(
    () => controller.core.tasks.get(taskId)?.state === 'TASK_RUNNING',
    20_000,
    'the fuzz task to run',
  );
  await fw.suppress();
  await until(() => controller.core.offers.all().length === 0, 10_000, 'no outstanding offers');
  // The controller's store mirror writes the running task's Task object: wait for it, so
  // that the fingerprints taken later do not see it appear.
  for (let i = 0; (await store.list('Task')).length === 0; i++) {
    if (i > 200) throw new Error('the Task object of the fuzz task was never written');
    await new Promise((r) => setTimeout(r, 50));
  }
  const reserved = new Set<string>([
    taskId,
    agent.id,
    fw.id,
    ...FIXTURES.map((o) => o.metadata.name),
  ]);
  return {
    controller,
    store,
    agent,
    fw,
    taskId,
    http: `http://127.0.0.1:${controller.httpPort}`,
    agentPort: agent.port,
    reserved,
    async launchAnother(id: string) {
      toLaunch.push(id);
      await fw.revive();
      await until(
        () => controller.core.tasks.get(id)?.state === 'TASK_RUNNING',
        20_000,
        `task ${id} to run`,
      );
      await fw.suppress();
    },
    async stop() {
      fw.close();
      await agent.destroyAllTasks().catch(() => undefined);
      await agent.stop();
      await controller.stop();
      await store.close();
      // Killed tasks leave their cgroups once reaped: on a loaded machine that takes a while.
      await cleanCgroupTrees(cgroupRoot, 20_000);
      rmSync(dir, { recursive: true, force: true });
      rmSync(agentDir, { recursive: true, force: true });
    },
  };
}

const KINDS: Kind[] = ['Task', 'App', 'Schedule', 'Role', 'Framework', 'Agent'];

/**
 * What a rejected request must not change, one entry per stored object (its spec and
 * the metadata users write; status and resourceVersion follow the running system), plus
 * the live tasks, frameworks and agents of /state.
 */
export async function fingerprint(c: FuzzCluster): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of KINDS) {
    for (const o of await c.store.list(kind)) {
      const m = o.metadata;
      out.set(
        `${kind}/${m.namespace ?? ''}/${m.name}`,
        JSON.stringify([o.spec, m.labels, m.annotations, m.finalizers, m.deletionTimestamp]),
      );
    }
  }
  const core = c.controller.core;
  for (const t of core.tasks.values()) out.set(`task/${t.id}`, t.state);
  for (const f of core.frameworks.values())
    out.set(`framework/${f.id}`, JSON.stringify([f.connected, [...f.tasks]]));
  for (const a of core.agents.values()) out.set(`agent/${a.id}`, a.state);
  return out;
}

/** Asserts that two fingerprints agree except on `changed` keys. */
export function assertSameState(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  what: string,
  changed: ReadonlySet<string> = new Set(),
): void {
  const keys = new Set([...before.keys(), ...after.keys()]);
  for (const k of keys) {
    if (changed.has(k)) continue;
    assert.equal(after.get(k), before.get(k), `${what} changed ${k}`);
  }
}
