// Tasks run as a user, not root (issue 13): a real controller authorizes the user each
// launched task runs as (`run-as` on `users`, for the principal that subscribed the
// framework with its bearer token) with the dev authenticator and policy authorizer, and a real agent (root, real cgroups) runs
// the task as that user with its sandbox owned by it. The task prints its uid and its
// sandbox's owner as it sees them; the test checks the sandbox from outside too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DevAuthenticator } from '../../../src/auth/dev-authenticator.js';
import { newToken } from '../../../src/auth/token.js';
import { parsePolicy, PolicyAuthorizer } from '../../../src/auth/policy.js';
import type { Principal } from '../../../src/auth/types.js';
import type { Agent } from '../../../src/agent-sidecar/index.js';
import type { Controller } from '../../../src/controller/controller.js';
import { lookupUser } from '../../../src/agent-sidecar/users.js';
import { SchedulerClient } from '../../../src/sdk/scheduler-client.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';
import { needCgroups } from '../agent/support/harness.js';
import { acceptFirstOffer, agentTasks, startAgent, startController, until } from './support.js';
import { tempDir, testCgroupRoot } from '../../support/cleanup.js';
import { TEST_TOKEN } from '../../support/auth.js';

/** A team that may subscribe in role `runas` and run tasks as `nobody` only. */
const TEAM: Principal = { username: 'team-a', groups: [], extra: {} };
const TEAM_TOKEN = newToken();
const POLICY = `
rules:
  - users: [team-a]
    verbs: [register]
    resources: [frameworks]
    names: [runas]
  - users: [team-a]
    verbs: [run-as]
    resources: [users]
    names: [nobody]
`;
/** Who calls: the test token's holder is the administrator (as `mezzo dev`'s). */
const ADMIN = TEST_TOKEN;
const TEAM_CALLS = TEAM_TOKEN;

let controller: Controller;
let agent: Agent;
const cleanup: (() => Promise<void> | void)[] = [];
before(async () => {
  const started = await startController(tempDir('mezzo-runas-ctl-'), 0, {
    access: {
      authenticator: new DevAuthenticator(TEST_TOKEN, [{ token: TEAM_TOKEN, principal: TEAM }]),
      authorizer: new PolicyAuthorizer(parsePolicy(POLICY, 'test policy')),
    },
  });
  controller = started.controller;
  cleanup.push(() => controller.stop());
  // As `mezzo dev` runs it: root, tasks may run as root when the controller allows it.
  agent = await startAgent(
    controller.grpcAddress,
    'cpus:4;mem:2048',
    'runas1',
    '',
    tempDir('mezzo-runas-agent-'),
    testCgroupRoot('runas'),
    { allowRoot: true },
  );
  cleanup.push(async () => {
    await agent.stop();
    await agent.destroyAllTasks();
  });
  await until(() => controller.core.agents.size === 1, 5_000, 'the agent');
});
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/**
 * Subscribes a framework with `token` (with FrameworkInfo.user `fwUser`), launches one
 * task as `taskUser` on its first offer, and returns the task's terminal status and what
 * it printed.
 */
async function runOne(
  name: string,
  token: string,
  fwUser: string,
  taskUser: string,
): Promise<{ status: TaskStatus__Output; stdout: string; sandbox: string }> {
  const fw = new SchedulerClient({
    address: controller.grpcAddress,
    token,
    framework: { name, user: fwUser, roles: ['runas'], failover_timeout_seconds: 0 },
  });
  let status: TaskStatus__Output | undefined;
  fw.on('update', (s) => {
    if (s.task_id === name && /FINISHED|FAILED|ERROR|KILLED|LOST|DROPPED/.test(s.state)) status = s;
  });
  acceptFirstOffer(fw, (agentId) => [
    {
      type: 'LAUNCH',
      tasks: [
        {
          task_id: name,
          name,
          agent_id: agentId,
          command: {
            shell: true,
            user: taskUser,
            value: 'echo "uid=$(id -u) owner=$(stat -c %u .)"',
          },
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: 0.1 },
            { name: 'mem', type: 'SCALAR', scalar: 32 },
          ],
        },
      ],
    },
  ]);
  await fw.start();
  try {
    await until(() => status !== undefined, 15_000, `a terminal update for ${name}`);
  } finally {
    fw.close();
  }
  const done = status as TaskStatus__Output;
  const sandbox = (await agentTasks(agent)).find((t) => t.taskId === name)?.sandbox ?? '';
  const stdout = sandbox ? readFileSync(join(sandbox, 'stdout'), 'utf8') : '';
  return { status: done, stdout, sandbox };
}

const nobody = lookupUser('nobody');

test('who a task runs as, and who may make it run as root', async (t) => {
  if (!needCgroups(t)) return;
  assert.ok(nobody, 'the machine has a nobody user');
  // [task, caller's token, FrameworkInfo.user, task's user, outcome]
  const cases: [string, string, string, string, { uid: number } | RegExp][] = [
    // Nothing names a user: the agent's default, `nobody`, which the team may use.
    ['no-user', TEAM_CALLS, '', '', { uid: nobody.uid }],
    ['fw-nobody', TEAM_CALLS, 'nobody', '', { uid: nobody.uid }],
    // The dev-mode administrator is allowed `run-as root`.
    ['admin-root', ADMIN, '', 'root', { uid: 0 }],
    ['admin-fw-root', ADMIN, 'root', '', { uid: 0 }],
    // The team is not: refused before anything reaches the agent.
    [
      'team-root',
      TEAM_CALLS,
      'nobody',
      'root',
      /^not authorized to run tasks as user "root": user "team-a" may not run-as users\.mezzo\.dev "root": no rule grants it$/,
    ],
    [
      'team-fw-root',
      TEAM_CALLS,
      'root',
      '',
      /user "root": user "team-a" may not run-as users\.mezzo\.dev "root"/,
    ],
    [
      'team-uid-0',
      TEAM_CALLS,
      '',
      '0',
      /user "0": user "team-a" may not run-as users\.mezzo\.dev "0"/,
    ],
  ];
  for (const [name, token, fwUser, taskUser, outcome] of cases) {
    const { status, stdout, sandbox } = await runOne(name, token, fwUser, taskUser);
    if (outcome instanceof RegExp) {
      assert.equal(status.state, 'TASK_ERROR', name);
      assert.equal(status.reason, 'REASON_TASK_UNAUTHORIZED', name);
      assert.match(status.message, outcome, name);
      assert.equal(sandbox, '', `${name}: the agent never heard of it`);
      continue;
    }
    assert.equal(status.state, 'TASK_FINISHED', `${name}: ${status.message}`);
    assert.equal(stdout.trim(), `uid=${outcome.uid} owner=${outcome.uid}`, name);
    assert.equal(statSync(sandbox).uid, outcome.uid, `${name}: the sandbox's owner`);
  }
});
