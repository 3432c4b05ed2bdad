/**
 * Helpers for the Chronos API tests: a real controller whose access control knows the
 * test's admin token plus two restricted users, and plain-HTTP calls to its Chronos
 * routes.
 */
import { chmodSync, rmSync } from 'node:fs';
import { DevAuthenticator } from '../../../src/auth/dev-authenticator.js';
import { PolicyAuthorizer, type PolicyRule } from '../../../src/auth/policy.js';
import type { Controller } from '../../../src/controller/controller.js';
import { ScheduleFramework } from '../../../src/frameworks/schedules/schedule-framework.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import type { EmbeddedStore } from '../../../src/store/embedded.js';
import { startAgent, startController, until } from '../controller/support.js';
import { authHeader, TEST_TOKEN } from '../../support/auth.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';

/** A user who may get and list Schedules anywhere. */
export const VIEWER = 'viewer-token-0123456789abcdef0123456789';
/** A user who may write Schedules, only in namespace team-b. */
export const OTHER_NS = 'other-ns-token-0123456789abcdef012345678';
/** A user who may read and annotate (`patch`) Schedules: run them, not change them. */
export const RUNNER = 'runner-token-0123456789abcdef0123456789ab';
/** A user who may also `update` Schedules. */
export const EDITOR = 'editor-token-0123456789abcdef0123456789ab';

function rule(users: string[], verbs: string[], namespaces: string[] = []): PolicyRule {
  return {
    users,
    groups: [],
    verbs,
    resources: ['schedules', 'tasks'],
    names: [],
    namespaces,
    nonResourceURLs: [],
  };
}

/** A controller with the Chronos routes, and how to call them. */
export interface ChronosServer {
  controller: Controller;
  store: EmbeddedStore;
  /** A directory of this server's that jobs may write into. */
  dir: string;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  /** Calls a native controller route (a path from `/`). */
  native(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  /** Stops the schedules framework and starts a new instance (it resumes from status). */
  restartFramework(): Promise<void>;
  stop(): Promise<void>;
}

/** An HTTP answer. */
export interface Answer {
  status: number;
  text: string;
  json: unknown;
  type: string;
}

/**
 * Starts a controller with the test's users; `withAgent`: also a real agent and the
 * schedules framework on the real clock, so that jobs run.
 */
export async function startChronosServer(withAgent = false): Promise<ChronosServer> {
  const access = {
    authenticator: new DevAuthenticator(TEST_TOKEN, [
      { token: VIEWER, principal: { username: 'viewer', groups: [], extra: {} } },
      { token: OTHER_NS, principal: { username: 'elsewhere', groups: [], extra: {} } },
      { token: RUNNER, principal: { username: 'runner', groups: [], extra: {} } },
      { token: EDITOR, principal: { username: 'editor', groups: [], extra: {} } },
    ]),
    authorizer: new PolicyAuthorizer([
      rule(['viewer'], ['get', 'list']),
      rule(
        ['elsewhere'],
        ['get', 'list', 'create', 'update', 'patch', 'delete', 'kill'],
        ['team-b'],
      ),
      rule(['runner'], ['get', 'list', 'patch']),
      rule(['editor'], ['get', 'list', 'patch', 'update']),
    ]),
  };
  const { controller, store, dir: controllerDir } = await startController(undefined, 0, { access });
  const dir = tempDir('mezzo-chronos-jobs-');
  // Tasks run as the framework's user (nobody): they may write here.
  chmodSync(dir, 0o777);
  const root = `http://127.0.0.1:${String(controller.httpPort)}`;
  const base = `${root}/v1/scheduler`;
  const stops: (() => Promise<void> | void)[] = [];
  let fw: ScheduleFramework | undefined;
  const newFramework = async (): Promise<void> => {
    fw = new ScheduleFramework({
      address: controller.grpcAddress,
      store,
      logger: silentLogger(),
      clock: new SystemClock(),
    });
    await fw.start();
  };
  const server: ChronosServer = {
    controller,
    store,
    dir,
    call: (method, path, body, token = TEST_TOKEN) => call(base, method, path, body, token),
    native: (method, path, body, token = TEST_TOKEN) => call(root, method, path, body, token),
    async restartFramework() {
      fw?.stop();
      // Its last status write lands before the new instance reads status.
      await fw?.settled();
      await newFramework();
    },
    async stop() {
      for (const s of stops.reverse()) await s();
      await controller.stop();
      for (const d of [dir, controllerDir]) rmSync(d, { recursive: true, force: true });
    },
  };
  if (!withAgent) return server;
  const agentDir = tempDir('mezzo-chronos-agent-');
  const agent = await startAgent(
    controller.grpcAddress,
    'cpus:2;mem:1024;disk:2048',
    'chronos1',
    '',
    agentDir,
    testCgroupRoot('chronos'),
  );
  stops.push(async () => {
    // Nothing left behind: the agent's processes and cgroups, then its directory.
    await agent.destroyAllTasks().catch(() => undefined);
    await agent.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });
  await until(() => controller.core.agents.size === 1, 5_000, 'the agent to register');
  await newFramework();
  stops.push(() => fw?.stop());
  return server;
}

async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
  token: string | null,
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : authHeader(token)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, type: res.headers.get('content-type') ?? '' };
}

/** A scheduled job's JSON, as chronos-python requires it. */
export const scheduled = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  command: `echo ${name}`,
  schedule: 'R/2030-01-01T00:00:00Z/PT1H',
  owner: 'ops@example.com',
  disabled: false,
  ...extra,
});

/** A dependent job's JSON. */
export const dependent = (
  name: string,
  parents: string[],
  extra: Record<string, unknown> = {},
) => ({
  name,
  command: `echo ${name}`,
  parents,
  owner: 'ops@example.com',
  disabled: false,
  ...extra,
});

/** The message of an error body. */
export function errorMessage(a: Answer): string {
  return (a.json as { error?: { message?: string } } | undefined)?.error?.message ?? '';
}
