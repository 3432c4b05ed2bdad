/**
 * The Kubernetes mode's authentication and authorization on a real apiserver, with the
 * chart's real RBAC: the reviews are sent with the controller's own ServiceAccount token,
 * so they prove the chart grants exactly what they need. A team's ServiceAccount with no
 * rights is denied apply, kill, subscribe, run-as and agent registration; after
 * RoleBindings to the chart's roles the same questions are allowed. An agent's pod-bound
 * token names its node, and only the chart's agent identity may register. The controller's
 * rendered RBAC is compared with the table in docs/security-kubernetes.md.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import {
  NODE_NAME_EXTRA,
  checkAgentIdentity,
  serviceAccountUser,
} from '../../../src/auth/agent-identity.js';
import { kubeAccessControl, type KubeAccessControl } from '../../../src/auth/kube-access.js';
import type { AccessRequest, Principal } from '../../../src/auth/types.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { podBoundToken } from '../support/bound-token.js';
import { controlPlane, repoRoot, type ControlPlane } from '../support/control-plane.js';

const NS = 'mezzo-authz';
const RELEASE = 'authz';
const FULL = 'authz-mezzo';
const TEAM = 'team-authz';
const chart = join(repoRoot, 'charts/mezzo');
let cp: ControlPlane;
let clock: ManualClock;
let metrics: MetricsRegistry;
let access: KubeAccessControl;
let teamToken = '';

async function token(ns: string, sa: string, ...extra: string[]): Promise<string> {
  return (await cp.kubectl(['-n', ns, 'create', 'token', sa, ...extra])).stdout.trim();
}

/** A client of the apiserver that acts as `bearer` (the controller's ServiceAccount). */
function kubeConfigAs(bearer: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'e2e', server: cp.server, caFile: cp.caCertPath }],
    users: [{ name: 'controller', token: bearer }],
    contexts: [{ name: 'e2e', cluster: 'e2e', user: 'controller' }],
    currentContext: 'e2e',
  });
  return kc;
}

before(async () => {
  cp = controlPlane();
  await cp.helm([
    'install',
    RELEASE,
    chart,
    '--namespace',
    NS,
    '--create-namespace',
    '--wait=false',
    '--set',
    'controller.replicaCount=1',
  ]);
  await cp.kubectl(['create', 'namespace', TEAM]);
  await cp.kubectl(['-n', TEAM, 'create', 'serviceaccount', 'batch']);
  teamToken = await token(TEAM, 'batch');
  clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  metrics = new MetricsRegistry();
  access = kubeAccessControl(kubeConfigAs(await token(NS, `${FULL}-controller`)), {
    clock,
    metrics,
    agentIdentities: [serviceAccountUser(NS, `${FULL}-agent`)],
  });
});
after(async () => {
  await cp.helm(['uninstall', RELEASE, '--namespace', NS]).catch(() => undefined);
  await cp.kubectl(['delete', 'namespace', TEAM, NS, '--wait=false']).catch(() => undefined);
  await cp.kubectl(['delete', 'node', 'authz-node-1', '--ignore-not-found']).catch(() => undefined);
  await cp
    .kubectl(['delete', 'clusterrolebinding', 'team-authz-run-as', '--ignore-not-found'])
    .catch(() => undefined);
  cp.stop();
});

async function principal(bearer: string): Promise<Principal> {
  const r = await access.authenticator.authenticate(bearer);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.principal;
}

const mezzo = (
  verb: string,
  resource: string,
  namespace?: string,
  name?: string,
): AccessRequest => ({
  resource: {
    verb,
    group: 'mezzo.dev',
    resource,
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  },
});

// The four calls and run-as, as the controller asks them.
const questions: [string, AccessRequest][] = [
  ['apply a Task', mezzo('create', 'tasks', TEAM, 'job-1')],
  ['kill a task', mezzo('kill', 'tasks', TEAM, 'job-1')],
  ['subscribe in role team-authz', mezzo('register', 'frameworks', NS, 'team-authz')],
  ['run as nobody', mezzo('run-as', 'users', undefined, 'nobody')],
  ['register an agent', mezzo('register', 'agents', undefined, 'authz-node-1')],
];

test('TokenReview: a ServiceAccount token is its ServiceAccount; junk and wrong audiences are not', async () => {
  const who = await principal(teamToken);
  assert.equal(who.username, `system:serviceaccount:${TEAM}:batch`);
  assert.ok(who.groups.includes(`system:serviceaccounts:${TEAM}`));
  const junk = await access.authenticator.authenticate('not-a-token');
  assert.equal(junk.ok, false);
  const scoped = kubeAccessControl(kubeConfigAs(await token(NS, `${FULL}-controller`)), {
    clock,
    agentIdentities: [],
    audiences: ['mezzo'],
  });
  assert.equal((await scoped.authenticator.authenticate(teamToken)).ok, false);
  const forMezzo = await token(TEAM, 'batch', '--audience', 'mezzo');
  assert.equal((await scoped.authenticator.authenticate(forMezzo)).ok, true);
  // The second look-up of the team token was answered from the cache.
  await principal(teamToken);
  const hits = (
    await metrics.registry.getSingleMetric('mezzo_authn_cache_requests_total')?.get()
  )?.values.find((v) => v.labels.result === 'hit')?.value;
  assert.ok((hits ?? 0) >= 1);
});

test('SubjectAccessReview: no rights, all denied; after RoleBindings, all but agent registration allowed', async () => {
  const who = await principal(teamToken);
  for (const [what, q] of questions) {
    const d = await access.authorizer.authorize(who, q);
    assert.equal(d.allowed, false, `${what} denied before any binding`);
  }
  await cp.kubectl([
    '-n',
    TEAM,
    'create',
    'rolebinding',
    'editor',
    `--clusterrole=${FULL}-editor`,
    `--serviceaccount=${TEAM}:batch`,
  ]);
  await cp.kubectl([
    '-n',
    NS,
    'create',
    'rolebinding',
    'team-framework',
    `--clusterrole=${FULL}-framework`,
    `--serviceaccount=${TEAM}:batch`,
  ]);
  await cp.kubectl([
    'create',
    'clusterrolebinding',
    'team-authz-run-as',
    `--clusterrole=${FULL}-run-as-default`,
    `--serviceaccount=${TEAM}:batch`,
  ]);
  for (const [what, q] of questions) {
    const want = what !== 'register an agent';
    // Denials are cached for 5 s: the clock moves past that while RBAC's informers catch up.
    let allowed = false;
    for (let i = 0; i < 100 && allowed !== want; i++) {
      clock.advance(5_000);
      allowed = (await access.authorizer.authorize(who, q)).allowed;
      if (allowed !== want) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(allowed, want, `${what} after the bindings`);
  }
  const root = await access.authorizer.authorize(who, mezzo('run-as', 'users', undefined, 'root'));
  assert.equal(root.allowed, false, 'run-as-default grants nobody, not root');
});

test('agents: only the chart agent identity registers, and only for the node its token is bound to', async () => {
  const bound = await podBoundToken(cp, NS, `${FULL}-agent`, 'authz-node-1');
  const agent = await principal(bound);
  assert.equal(agent.username, serviceAccountUser(NS, `${FULL}-agent`));
  assert.deepEqual(agent.extra[NODE_NAME_EXTRA], ['authz-node-1']);
  const policy = access.agentIdentity;
  assert.deepEqual(checkAgentIdentity(agent, { nodeName: 'authz-node-1', hostname: 'h' }, policy), {
    allowed: true,
  });
  assert.equal(
    checkAgentIdentity(agent, { nodeName: 'other-node', hostname: 'h' }, policy).allowed,
    false,
  );
  assert.equal(
    checkAgentIdentity(
      await principal(teamToken),
      { nodeName: 'authz-node-1', hostname: 'h' },
      policy,
    ).allowed,
    false,
  );
  const reg = await access.authorizer.authorize(
    agent,
    mezzo('register', 'agents', undefined, 'authz-node-1'),
  );
  assert.equal(reg.allowed, true, 'the chart grants the agent ServiceAccount register agents');
});

test('kubectl auth can-i: the new verbs, for the controller, the agent and a team', async () => {
  const can = async (as: string, ...args: string[]) => {
    // `users` is not a served resource, so kubectl cannot name its group: `run-as` rows
    // go to the apiserver as the SubjectAccessReview kubectl would have sent.
    const runAs = args[0] === 'run-as' ? /^users\.mezzo\.dev\/(.+)$/.exec(args[1] ?? '') : null;
    if (runAs) {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: as,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${as.split(':')[2] ?? ''}`],
          resourceAttributes: {
            verb: 'run-as',
            group: 'mezzo.dev',
            resource: 'users',
            name: runAs[1],
          },
        },
      };
      const r = await cp.kubectl(
        ['create', '-o', 'jsonpath={.status.allowed}', '-f', '-'],
        JSON.stringify(review),
      );
      return r.stdout.trim() === 'true' ? 'yes' : 'no';
    }
    const r = await cp
      .kubectl(['auth', 'can-i', ...args, `--as=${as}`])
      .catch((e: unknown) => e as { stdout: string });
    return r.stdout.trim();
  };
  const controller = serviceAccountUser(NS, `${FULL}-controller`);
  const agent = serviceAccountUser(NS, `${FULL}-agent`);
  const team = serviceAccountUser(TEAM, 'batch');
  const nobodyTeam = serviceAccountUser(TEAM, 'default');
  // [who, can-i arguments, answer]
  const table: [string, string[], string][] = [
    [controller, ['create', 'tokenreviews.authentication.k8s.io'], 'yes'],
    [controller, ['create', 'subjectaccessreviews.authorization.k8s.io'], 'yes'],
    [controller, ['impersonate', 'users'], 'no'],
    [controller, ['impersonate', 'serviceaccounts', '-n', TEAM], 'no'],
    [controller, ['impersonate', 'groups'], 'no'],
    [controller, ['register', 'agents.mezzo.dev'], 'no'],
    [controller, ['run-as', 'users.mezzo.dev/root'], 'no'],
    [controller, ['get', 'secrets', '-n', NS], 'no'],
    [agent, ['register', 'agents.mezzo.dev/authz-node-1'], 'yes'],
    [agent, ['register', 'frameworks.mezzo.dev', '-n', NS], 'no'],
    [agent, ['run-as', 'users.mezzo.dev/root'], 'no'],
    [agent, ['create', 'tasks.mezzo.dev', '-n', TEAM], 'no'],
    [team, ['register', 'frameworks.mezzo.dev/team-authz', '-n', NS], 'yes'],
    [team, ['run-as', 'users.mezzo.dev/nobody'], 'yes'],
    [team, ['run-as', 'users.mezzo.dev/root'], 'no'],
    [team, ['kill', 'tasks.mezzo.dev', '-n', TEAM], 'yes'],
    [team, ['get', 'tasks.mezzo.dev', '--subresource=log', '-n', TEAM], 'yes'],
    [team, ['kill', 'tasks.mezzo.dev', '-n', 'default'], 'no'],
    [team, ['teardown', 'frameworks.mezzo.dev', '-n', NS], 'no'],
    [team, ['register', 'agents.mezzo.dev'], 'no'],
    [nobodyTeam, ['create', 'tasks.mezzo.dev', '-n', TEAM], 'no'],
    [nobodyTeam, ['register', 'frameworks.mezzo.dev', '-n', NS], 'no'],
  ];
  for (const [as, args, want] of table) {
    assert.equal(await can(as, ...args), want, `${as} ${args.join(' ')}`);
  }
});

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** The rows of the controller RBAC table in the docs, as "group|resource|verb|where" strings. */
function documentedRights(): Set<string> {
  const doc = readFileSync(join(repoRoot, 'docs/security-kubernetes.md'), 'utf8');
  const table =
    /<!-- controller-rbac:begin -->([\s\S]*?)<!-- controller-rbac:end -->/.exec(doc)?.[1] ?? '';
  const rights = new Set<string>();
  for (const line of table.split('\n').slice(3)) {
    const cells = line
      .split('|')
      .map((c) => c.trim())
      .slice(1, -1);
    if (cells.length !== 4) continue;
    const [group = '', resources = '', verbs = '', where = ''] = cells;
    for (const r of resources.split(',')) {
      for (const v of verbs.split(',')) {
        rights.add(`${group === '(core)' ? '' : group}|${r.trim()}|${v.trim()}|${where}`);
      }
    }
  }
  return rights;
}

test("the controller's rendered RBAC is the documented table, with no impersonate", async () => {
  const { stdout } = await cp.helm([
    'template',
    'mezzo',
    chart,
    '--namespace',
    'mezzo-system',
    '--kube-version=1.34.4',
  ]);
  const objs = parseAllDocuments(stdout)
    .map((d) => d.toJSON() as { kind: string; metadata: { name: string }; rules?: Rule[] } | null)
    .filter((o) => o !== null);
  const granted = new Set<string>();
  for (const [kind, name, where] of [
    ['ClusterRole', 'mezzo-controller', 'cluster'],
    ['Role', 'mezzo-leader-election', 'own namespace'],
  ] as const) {
    const role = objs.find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(role?.rules, `${kind}/${name} rendered`);
    for (const rule of role.rules) {
      assert.equal(rule.nonResourceURLs, undefined);
      for (const g of rule.apiGroups ?? []) {
        for (const r of rule.resources ?? []) {
          for (const v of rule.verbs) granted.add(`${g}|${r}|${v}|${where}`);
        }
      }
    }
  }
  const documented = documentedRights();
  assert.ok(documented.size > 20, 'the docs table was found');
  assert.deepEqual(
    [...granted].filter((g) => !documented.has(g)),
    [],
    'rights beyond the docs table',
  );
  assert.deepEqual(
    [...documented].filter((d) => !granted.has(d)),
    [],
    'documented rights not granted',
  );
  assert.ok(![...granted].some((g) => /impersonate|escalate|bind|\*/.test(g)));
});
