/**
 * The chart's ValidatingAdmissionPolicy for agent-written Task status
 * (charts/mezzo/templates/agent-task-status-policy.yaml, `agent.writeTaskStatus=true`) on
 * the real apiserver. The policy, binding, agent ServiceAccount, agent RBAC and the
 * controller's RBAC are the chart's own, rendered with `helm template`; each case is a
 * real merge PATCH of a Task's status subresource with an agent token bound to a pod on
 * node A (or node B), and its outcome is the apiserver's: allowed, or refused with the
 * policy's own message.
 *
 * The grants are the controller's one TaskGrants object, `mezzo-task-grants` in the
 * release namespace, whose `spec.grants` is keyed `<task namespace>.<task name>`; here the
 * test writes it in the controller's place. An entry keyed with another namespace grants
 * nothing, nor does a TaskGrants of that name in the Task's own namespace (a namespace
 * user's forgery). The admin and a ServiceAccount holding the agent's RBAC are outside the
 * policy, except while the release namespace's TaskGrants is missing: then the apiserver
 * refuses every Task status write, theirs too (it looks the parameter up before it
 * evaluates who is writing), until the TaskGrants is there again.
 *
 * The parameter is a custom resource because kube-apiserver v1.34 stops the informer of a
 * built-in parameter kind (a ConfigMap) for good once no binding names that kind for one
 * policy refresh (kubernetes/kubernetes#130887): a policy bound again afterwards sees the
 * parameters as they were then, until the apiserver restarts (one made since is never
 * found: "no params found" for every write it matches). One case deletes and re-creates
 * the binding, and the map meanwhile, to pin that the TaskGrants parameter survives it. No
 * test here uses a ConfigMap parameter: one bound and unbound on the shared control plane
 * would break every later test's ConfigMap-param policy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { podBoundToken } from '../support/bound-token.js';
import {
  controlPlane,
  repoRoot,
  withCrdsAndNamespace,
  type ControlPlane,
} from '../support/control-plane.js';

/** The release namespace: the agent ServiceAccount, its pods, and the grant TaskGrants. */
const NS = 'mezzo-vap';
const RELEASE = 'vap';
const AGENT_SA = 'vap-mezzo-agent';
const CONTROLLER_SA = 'vap-mezzo-controller';
/** The Tasks' namespace. */
const TEAM = 'team-vap';
/** Another namespace's name, for grant keys only (no such namespace is made). */
const OTHER_NS = 'team-vap-other';
/** A user with TaskGrants rights in TEAM only (a Role there): who would forge a grant. */
const TEAM_USER = 'vap-team-user';
const TEAM_ROLE = 'vap-team-taskgrants';
const NODE_A = 'vap-node-a';
const NODE_B = 'vap-node-b';
const GRANTS = 'mezzo-task-grants';
/** The kind's resource, as kubectl names it. */
const TASK_GRANTS = 'taskgrants.mezzo.dev';
/** Not an agent: a ServiceAccount bound to the agent's ClusterRole all the same. */
const OTHER_SA = 'vap-other';
const chart = join(repoRoot, 'charts/mezzo');

/** Who refuses: the chart's policy and binding (not RBAC). */
const POLICY = new RegExp(
  `ValidatingAdmissionPolicy '${RELEASE}-mezzo-agent-task-status' with binding '${RELEASE}-mezzo-agent-task-status' denied request: `,
);
/** What the policy says when it refuses (the messages in the chart's template). */
const DENIED = {
  noGrantMap: /no params found for policy binding with `Deny` parameterNotFoundAction/,
  unbound: /an agent writes Task status only with a token bound to a pod on its node/,
  ownNode: /an agent writes only status.nodeName of its own node/,
  notPlaced: (task: string, node: string) =>
    new RegExp(`task ${task} was not placed on node ${node}(\\W|$)`),
  ids: /an agent may not change a placed task's taskId, agentId or frameworkId/,
  final: /a task's final state is the controller's to write/,
  live: /an agent writes only TASK_STARTING or TASK_RUNNING/,
} as const;

let cp: ControlPlane;
let manifest = '';
/** Who writes: the admin's kubeconfig, or a client holding a token. */
const writers = new Map<string, k8s.KubeConfig>();

/** A kubeconfig for the control plane that authenticates with `bearer`. */
function kubeConfigAs(bearer: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'e2e', server: cp.server, caFile: cp.caCertPath }],
    users: [{ name: 'writer', token: bearer }],
    contexts: [{ name: 'e2e', cluster: 'e2e', user: 'writer' }],
    currentContext: 'e2e',
  });
  return kc;
}

type Who = 'agent-a' | 'agent-b' | 'agent-unbound' | 'admin' | 'other';

/** The apiserver's answer to a status write. */
interface Outcome {
  code: number;
  message: string;
}

/** Merge-patches `status` onto Task `ns/name`'s status subresource as `who`. */
async function writeStatus(
  who: Who,
  ns: string,
  name: string,
  status: Record<string, unknown>,
): Promise<Outcome> {
  const kc = writers.get(who);
  assert.ok(kc, `a client for ${who}`);
  const url = new URL(`/apis/mezzo.dev/v1alpha1/namespaces/${ns}/tasks/${name}/status`, cp.server);
  const opts: RequestOptions = {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ code: res.statusCode ?? 0, message: statusMessage(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ status }));
  });
}

/** A Status body's message (a refusal), or the body itself when it is not one. */
function statusMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? message : body;
  } catch {
    return body;
  }
}

/** "allowed", or the denial's message with its HTTP status. */
function shown(o: Outcome): string {
  return o.code >= 200 && o.code < 300 ? 'allowed' : `${String(o.code)}: ${o.message}`;
}

/**
 * Writes until the outcome is `want` (undefined: allowed), for 10 s at most. Only a
 * refusal that `lagging` matches is asked again: one that a TaskGrants change the policy
 * has not seen yet would explain (it reads the TaskGrants through an informer, a moment
 * behind the write). Any other outcome fails at once; an allowed write that should have
 * been refused has changed the object.
 */
async function expectWrite(
  who: Who,
  name: string,
  status: Record<string, unknown>,
  want: RegExp | undefined,
  lagging?: RegExp,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const o = await writeStatus(who, TEAM, name, status);
    const allowed = o.code >= 200 && o.code < 300;
    if (want === undefined ? allowed : !allowed && POLICY.test(o.message) && want.test(o.message))
      return;
    if (allowed || !lagging?.test(o.message) || Date.now() >= deadline) {
      assert.fail(
        `${who} writing ${JSON.stringify(status)} to ${TEAM}/${name}: want ${want === undefined ? 'allowed' : String(want)}, got ${shown(o)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates Task `name` in TEAM (spec only) and returns its uid. */
async function createTask(name: string): Promise<string> {
  const { stdout } = await cp.kubectl(
    ['create', '-n', TEAM, '-o', 'jsonpath={.metadata.uid}', '-f', '-'],
    JSON.stringify({
      apiVersion: 'mezzo.dev/v1alpha1',
      kind: 'Task',
      metadata: { name },
      spec: { command: 'true', resources: { cpus: 0.1, mem: 16 } },
    }),
  );
  return stdout;
}

/** A grant key as the controller writes it: `<namespace>.<name>`. */
const keyOf = (name: string, ns = TEAM) => `${ns}.${name}`;

/** The task ID the controller would give: the last field of a grant, spaces and all. */
const taskIdOf = (name: string) => `${TEAM}.${name} attempt 1`;

/** What an agent writes when its task starts running on node A. */
const running = (name: string, node = NODE_A): Record<string, unknown> => ({
  state: 'TASK_RUNNING',
  nodeName: node,
  taskId: taskIdOf(name),
  agentId: `agent-${node}`,
  frameworkId: 'default',
});

let witnesses = 0;

/**
 * Sets (a string) or removes (null) entries of the grant TaskGrants' `spec.grants` in the
 * release namespace, and returns once the policy has seen the change: the same patch grants a
 * fresh witness Task to node A, whose first write is asked until it is allowed. A case's
 * write then meets the map as the case set it, so a refusal is not a grant not yet seen.
 */
async function setGrants(entries: Record<string, string | null>): Promise<void> {
  const witness = `witness-${String(++witnesses)}`;
  const uid = await createTask(witness);
  const grants = { ...entries, [keyOf(witness)]: `${NODE_A} ${uid} ${taskIdOf(witness)}` };
  await cp.kubectl([
    'patch',
    TASK_GRANTS,
    GRANTS,
    '-n',
    NS,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { grants } }),
  ]);
  await expectWrite(
    'agent-a',
    witness,
    running(witness),
    undefined,
    DENIED.notPlaced(witness, NODE_A),
  );
}

/** Creates TaskGrants `mezzo-task-grants` in `ns` holding `grants`, as the admin or as `as`. */
async function createTaskGrants(
  ns: string,
  grants: Record<string, string>,
  as?: string,
): Promise<void> {
  await cp.kubectl(
    ['create', '-f', '-', ...(as ? [`--as=${as}`] : [])],
    JSON.stringify({
      apiVersion: 'mezzo.dev/v1alpha1',
      kind: 'TaskGrants',
      metadata: { name: GRANTS, namespace: ns },
      spec: { grants },
    }),
  );
}

/** `kubectl auth can-i` as `as`: "yes" or "no". */
async function can(as: string, args: string[]): Promise<string> {
  const r = await cp
    .kubectl(['auth', 'can-i', ...args, `--as=${as}`])
    .catch((e: unknown) => e as { stdout: string });
  return r.stdout.trim();
}

/** A Task the policy is probed with: its writes may be allowed before the policy is in effect. */
const PROBE = 'probe';

/**
 * Returns once the policy is in the admission chain and finds its parameter: a write it
 * refuses whatever the object holds (another node's nodeName) is refused by that rule,
 * not allowed (no policy yet: RBAC alone decides) nor refused for want of the TaskGrants.
 * Asked for 15 s at most.
 */
async function policyInEffect(): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const o = await writeStatus('agent-a', TEAM, PROBE, running(PROBE, NODE_B));
    if (POLICY.test(o.message) && DENIED.ownNode.test(o.message)) return;
    if (Date.now() >= deadline) assert.fail(`the policy never took effect: ${shown(o)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Something done to the case's Task before the write the case checks. */
type Step =
  /** The controller grants the Task (key `<keyNs>.<name>`, TEAM by default): the entry's value, from the Task's uid. */
  | { grant: (uid: string) => string; keyNs?: string }
  /** The controller takes the grant back. */
  | { revoke: true }
  /** The Task is deleted and created again under the same name (a new uid). */
  | { recreate: true }
  /** A user with TaskGrants rights in TEAM makes a `mezzo-task-grants` there granting the Task. */
  | { forge: (uid: string) => string }
  /** A status write that must be allowed. */
  | { write: Who; status: Record<string, unknown> };

interface Case {
  title: string;
  setup?: (name: string) => Step[];
  as: Who;
  status: (name: string) => Record<string, unknown>;
  /** The denial's message; absent: the write is allowed. */
  denied?: (name: string) => RegExp;
}

const grantA: (name: string) => Step = (name) => ({
  grant: (uid) => `${NODE_A} ${uid} ${taskIdOf(name)}`,
});

const cases: Case[] = [
  {
    title: "an agent's first write of a Task granted to its node, taskId with spaces",
    setup: (n) => [grantA(n)],
    as: 'agent-a',
    status: running,
  },
  {
    title: 'a grant to another node',
    setup: (n) => [{ grant: (uid) => `${NODE_B} ${uid} ${taskIdOf(n)}` }],
    as: 'agent-a',
    status: running,
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    title: "a grant keyed with another namespace's name, for a Task of the same name",
    setup: (n) => [{ ...grantA(n), keyNs: OTHER_NS }],
    as: 'agent-a',
    status: running,
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    // Keyed both ways (`<name>` and `<namespace>.<name>`): the policy reads only the
    // release namespace's TaskGrants, which a namespace user cannot write.
    title: "a grant TaskGrants a namespace user made in the Task's own namespace",
    setup: (n) => [{ forge: (uid) => `${NODE_A} ${uid} ${taskIdOf(n)}` }],
    as: 'agent-a',
    status: running,
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    title: 'a grant naming another uid (the Task deleted and created again)',
    setup: (n) => [grantA(n), { recreate: true }],
    as: 'agent-a',
    status: running,
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    title: 'a grant naming another task ID',
    setup: () => [{ grant: (uid) => `${NODE_A} ${uid} ${TEAM}.other attempt 1` }],
    as: 'agent-a',
    status: running,
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    title: 'a grant with no task ID in the write',
    setup: (n) => [grantA(n)],
    as: 'agent-a',
    status: () => ({ state: 'TASK_RUNNING', nodeName: NODE_A }),
    denied: (n) => DENIED.notPlaced(n, NODE_A),
  },
  {
    title: "status.nodeName of another node, with a grant to the agent's",
    setup: (n) => [grantA(n)],
    as: 'agent-a',
    status: (n) => running(n, NODE_B),
    denied: () => DENIED.ownNode,
  },
  {
    title: 'a final state written by the agent',
    setup: (n) => [grantA(n)],
    as: 'agent-a',
    status: (n) => ({ ...running(n), state: 'TASK_FINISHED' }),
    denied: () => DENIED.live,
  },
  {
    title: 'a live state after the final state the controller (admin) wrote',
    setup: (n) => [
      grantA(n),
      { write: 'agent-a', status: running(n) },
      { write: 'admin', status: { state: 'TASK_FAILED' } },
    ],
    as: 'agent-a',
    status: running,
    denied: () => DENIED.final,
  },
  {
    title: "the taskId changed after the Task's placement",
    setup: (n) => [grantA(n), { write: 'agent-a', status: running(n) }],
    as: 'agent-a',
    status: (n) => ({ ...running(n), taskId: `${TEAM}.${n} attempt 2` }),
    denied: () => DENIED.ids,
  },
  {
    title: "the agentId changed after the Task's placement",
    setup: (n) => [grantA(n), { write: 'agent-a', status: running(n) }],
    as: 'agent-a',
    status: () => ({ agentId: 'agent-elsewhere' }),
    denied: () => DENIED.ids,
  },
  {
    title: 'a later write by the same node after its grant entry was removed',
    setup: (n) => [
      grantA(n),
      { write: 'agent-a', status: { ...running(n), state: 'TASK_STARTING' } },
      { revoke: true },
    ],
    as: 'agent-a',
    status: () => ({ state: 'TASK_RUNNING' }),
  },
  {
    title: 'a token bound to a pod on node B claiming a Task placed on node A',
    setup: (n) => [grantA(n), { write: 'agent-a', status: running(n) }],
    as: 'agent-b',
    status: (n) => running(n, NODE_B),
    denied: (n) => DENIED.notPlaced(n, NODE_B),
  },
  {
    title: 'a token bound to a pod on node B writing the state of a Task placed on node A',
    setup: (n) => [grantA(n), { write: 'agent-a', status: running(n) }],
    as: 'agent-b',
    status: () => ({ state: 'TASK_STARTING' }),
    denied: () => DENIED.ownNode,
  },
  {
    title: "the agent's ServiceAccount with a token bound to no pod",
    setup: (n) => [grantA(n)],
    as: 'agent-unbound',
    status: running,
    denied: () => DENIED.unbound,
  },
  {
    title: 'the admin is not subject to the policy (no grant entry, a final state)',
    as: 'admin',
    status: (n) => ({ ...running(n, 'anywhere'), state: 'TASK_FINISHED' }),
  },
  {
    title: "another ServiceAccount holding the agent's RBAC is not subject to it",
    as: 'other',
    status: (n) => ({ ...running(n, NODE_A), state: 'TASK_KILLED' }),
  },
];

before(async () => {
  cp = controlPlane();
  await withCrdsAndNamespace(cp, ['crd/tasks.mezzo.dev', 'crd/taskgrants.mezzo.dev'], NS);
  await cp.kubectl(
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${TEAM}}\n`,
  );
  // The grant TaskGrants before the binding: from then on, without it, no one in the
  // cluster writes Task status.
  await createTaskGrants(NS, { [keyOf('unrelated', OTHER_NS)]: 'x y z' });
  // The chart's own objects: the agent ServiceAccount, its RBAC with tasks/status, the
  // controller's RBAC with its grant TaskGrants Role, and the policy with its binding.
  manifest = (
    await cp.helm([
      'template',
      RELEASE,
      chart,
      '--namespace',
      NS,
      '--kube-version=1.34.4',
      '--set',
      'agent.writeTaskStatus=true',
      '--show-only',
      'templates/agent-serviceaccount.yaml',
      '--show-only',
      'templates/agent-rbac.yaml',
      '--show-only',
      'templates/controller-rbac.yaml',
      '--show-only',
      'templates/agent-task-status-policy.yaml',
    ])
  ).stdout;
  await cp.kubectl(['apply', '-f', '-'], manifest);
  await cp.kubectl(['-n', NS, 'create', 'serviceaccount', OTHER_SA]);
  await cp.kubectl([
    'create',
    'clusterrolebinding',
    OTHER_SA,
    '--clusterrole=vap-mezzo-agent',
    `--serviceaccount=${NS}:${OTHER_SA}`,
  ]);
  // A namespace user: all it may do is keep TaskGrants in TEAM.
  await cp.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: TEAM_ROLE, namespace: TEAM },
      rules: [
        {
          apiGroups: ['mezzo.dev'],
          resources: ['taskgrants'],
          verbs: ['get', 'create', 'patch', 'delete'],
        },
      ],
    }),
  );
  await cp.kubectl([
    '-n',
    TEAM,
    'create',
    'rolebinding',
    TEAM_ROLE,
    `--role=${TEAM_ROLE}`,
    `--user=${TEAM_USER}`,
  ]);
  writers.set('admin', cp.kubeConfig());
  writers.set('agent-a', kubeConfigAs(await podBoundToken(cp, NS, AGENT_SA, NODE_A, 'agent-a')));
  writers.set('agent-b', kubeConfigAs(await podBoundToken(cp, NS, AGENT_SA, NODE_B, 'agent-b')));
  writers.set(
    'agent-unbound',
    kubeConfigAs((await cp.kubectl(['-n', NS, 'create', 'token', AGENT_SA])).stdout.trim()),
  );
  writers.set('other', kubeConfigAs(await podBoundToken(cp, NS, OTHER_SA, NODE_B, 'other')));

  // A policy takes a moment to reach the admission chain: until then the agent's RBAC
  // alone decides.
  await createTask(PROBE);
  await policyInEffect();
});

after(async () => {
  const quiet = (args: string[], input?: string) => cp.kubectl(args, input).catch(() => undefined);
  // The binding first: without it a missing TaskGrants refuses no one.
  if (manifest) await quiet(['delete', '--ignore-not-found', '-f', '-'], manifest);
  await quiet(['delete', 'clusterrolebinding', OTHER_SA, '--ignore-not-found']);
  // The shared control plane runs no namespace controller (nor kubelet): what is in a
  // namespace goes by name, the pods at once, before the namespaces themselves.
  await quiet(['delete', 'tasks', '--all', '-n', TEAM]);
  for (const ns of [NS, TEAM]) {
    await quiet(['delete', TASK_GRANTS, GRANTS, '-n', ns, '--ignore-not-found']);
  }
  await quiet(['delete', 'rolebinding,role', TEAM_ROLE, '-n', TEAM, '--ignore-not-found']);
  await quiet(['delete', 'pods', '--all', '-n', NS, '--force', '--grace-period=0']);
  await quiet(['delete', 'serviceaccount', OTHER_SA, '-n', NS, '--ignore-not-found']);
  await quiet(['delete', 'namespace', NS, TEAM, '--wait=false']);
  await quiet(['delete', 'node', NODE_A, NODE_B, '--ignore-not-found']);
  cp.stop();
});

for (const [i, c] of cases.entries()) {
  const want = c.denied ? 'denied' : 'allowed';
  test(`${want}: ${c.title}`, async () => {
    const name = `case-${String(i)}`;
    let uid = await createTask(name);
    for (const step of c.setup?.(name) ?? []) {
      if ('grant' in step) await setGrants({ [keyOf(name, step.keyNs)]: step.grant(uid) });
      else if ('revoke' in step) await setGrants({ [keyOf(name)]: null });
      else if ('recreate' in step) {
        await cp.kubectl(['delete', 'task', name, '-n', TEAM, '--wait=true']);
        const again = await createTask(name);
        assert.notEqual(again, uid, 'the Task created again has a new uid');
        uid = again;
      } else if ('forge' in step) {
        const value = step.forge(uid);
        await createTaskGrants(TEAM, { [name]: value, [keyOf(name)]: value }, TEAM_USER);
        // Seen by the policy's informer as soon as any later TaskGrants change is.
        await setGrants({});
      } else await expectWrite(step.write, name, step.status, undefined);
    }
    await expectWrite(c.as, name, c.status(name), c.denied?.(name));
  });
}

test('without the grant TaskGrants no Task status is written, the admin included, until it is back', async () => {
  // The apiserver looks the parameter up before it evaluates matchConditions, so
  // `parameterNotFoundAction: Deny` refuses every writer while the release namespace's
  // TaskGrants is missing: the controller makes it before its first status write and
  // writes it whole each minute, which makes it again. (`Allow` would skip the policy,
  // for agents too.)
  const name = 'no-map';
  const uid = await createTask(name);
  await setGrants({ [keyOf(name)]: `${NODE_A} ${uid} ${taskIdOf(name)}` });
  const saved = JSON.parse(
    (await cp.kubectl(['get', TASK_GRANTS, GRANTS, '-n', NS, '-o', 'json'])).stdout,
  ) as { spec: { grants: Record<string, string> } };
  assert.ok(saved.spec.grants[keyOf(name)], 'the grant is in the map');
  const admin = { ...running(name, 'anywhere'), state: 'TASK_FINISHED' };

  await cp.kubectl(['delete', TASK_GRANTS, GRANTS, '-n', NS]);
  try {
    // Seen once a write the policy refuses whatever the map says is refused for want of it.
    await expectWrite('agent-a', name, running(name, NODE_B), DENIED.noGrantMap, DENIED.ownNode);
    await expectWrite('agent-a', name, running(name), DENIED.noGrantMap);
    await expectWrite('admin', name, admin, DENIED.noGrantMap);
  } finally {
    await createTaskGrants(NS, saved.spec.grants).catch((err: unknown) => {
      if (!/AlreadyExists/.test(String((err as { stderr?: unknown }).stderr))) throw err;
    });
  }
  // Evaluated again: a rule refuses, the grant admits, the admin is outside the policy.
  await expectWrite('agent-a', name, running(name, NODE_B), DENIED.ownNode, DENIED.noGrantMap);
  await expectWrite('agent-a', name, running(name), undefined);
  await expectWrite('admin', name, admin, undefined);
});

test('the policy bound again after its binding was gone for a while sees its TaskGrants as they are now', async () => {
  // kubernetes/kubernetes#130887: once no binding names a built-in parameter kind (a
  // ConfigMap) for one policy refresh (1 s), the apiserver stops that kind's informer for
  // good. A policy bound again then reads what the informer held when it stopped: a
  // parameter object made since is never found ("no params found" for every write the
  // policy matches) and changes since are never seen, until the apiserver restarts. An
  // uninstall and reinstall of the chart does just this. A custom resource parameter is
  // watched afresh: here the map is made again while the binding is gone, and both the
  // grant it holds and one written after the binding is back admit their agent writes.
  const name = 'rebound';
  const uid = await createTask(name);
  const grant = { [keyOf(name)]: `${NODE_A} ${uid} ${taskIdOf(name)}` };
  const saved = JSON.parse(
    (await cp.kubectl(['get', TASK_GRANTS, GRANTS, '-n', NS, '-o', 'json'])).stdout,
  ) as { spec: { grants: Record<string, string> } };
  const grants = { ...saved.spec.grants, ...grant };
  const binding = `${RELEASE}-mezzo-agent-task-status`;

  await cp.kubectl(['delete', 'validatingadmissionpolicybinding', binding]);
  try {
    // Gone from the admission chain: a write the policy refuses whatever the object holds
    // is allowed (RBAC alone decides). A Task of its own, since the write changes it.
    const gone = 'rebound-gone';
    await createTask(gone);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const o = await writeStatus('agent-a', TEAM, gone, running(gone, NODE_B));
      if (o.code >= 200 && o.code < 300) break;
      if (Date.now() >= deadline)
        assert.fail(`the binding's deletion never took effect: ${shown(o)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Unbound for longer than the apiserver's policy refresh; meanwhile the map is made
    // again, a new object (as a reinstalled controller makes it), with the case's grant.
    await new Promise((r) => setTimeout(r, 3_000));
    await cp.kubectl(['delete', TASK_GRANTS, GRANTS, '-n', NS]);
    await createTaskGrants(NS, grants);
  } finally {
    await createTaskGrants(NS, grants).catch((err: unknown) => {
      if (!/AlreadyExists/.test(String((err as { stderr?: unknown }).stderr))) throw err;
    });
    // The binding as the chart renders it (the rest of the manifest is unchanged).
    await cp.kubectl(['apply', '-f', '-'], manifest);
  }
  // In effect again, finding its parameter (not "no params found") ...
  await policyInEffect();
  // ... as it was made while unbound: its grant admits the agent's first write ...
  await expectWrite('agent-a', name, running(name), undefined, DENIED.notPlaced(name, NODE_A));
  await expectWrite('agent-a', name, running(name, NODE_B), DENIED.ownNode);
  // ... and as it is changed later (setGrants waits until its own witness grant admits).
  const later = 'rebound-later';
  const laterUid = await createTask(later);
  await setGrants({ [keyOf(later)]: `${NODE_A} ${laterUid} ${taskIdOf(later)}` });
  await expectWrite('agent-a', later, running(later), undefined);
});

test('the agent reads and patches Task status only: nothing on Tasks or the grants', async () => {
  const table: [string[], string][] = [
    [['patch', 'tasks.mezzo.dev', '--subresource=status', '-n', TEAM], 'yes'],
    [['get', 'tasks.mezzo.dev', '--subresource=status', '-n', TEAM], 'yes'],
    [['update', 'tasks.mezzo.dev', '--subresource=status', '-n', TEAM], 'no'],
    [['get', 'tasks.mezzo.dev', '-n', TEAM], 'no'],
    [['patch', 'tasks.mezzo.dev', '-n', TEAM], 'no'],
    [['get', TASK_GRANTS, '-n', TEAM], 'no'],
    [['get', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'no'],
    [['patch', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'no'],
    [['create', TASK_GRANTS, '-n', NS], 'no'],
    [['delete', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'no'],
    [['get', 'configmaps', '-n', NS], 'no'],
  ];
  for (const [args, want] of table) {
    assert.equal(await can(`system:serviceaccount:${NS}:${AGENT_SA}`, args), want, args.join(' '));
  }
});

test('only the controller writes the grant TaskGrants, and only in its own namespace', async () => {
  const controller = `system:serviceaccount:${NS}:${CONTROLLER_SA}`;
  const table: [string, string[], string][] = [
    [controller, ['get', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'yes'],
    [controller, ['patch', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'yes'],
    [controller, ['create', TASK_GRANTS, '-n', NS], 'yes'],
    [controller, ['get', `${TASK_GRANTS}/other`, '-n', NS], 'no'],
    [controller, ['patch', `${TASK_GRANTS}/other`, '-n', NS], 'no'],
    [controller, ['delete', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'no'],
    [controller, ['list', TASK_GRANTS, '-n', NS], 'no'],
    [controller, ['create', TASK_GRANTS, '-n', TEAM], 'no'],
    [controller, ['get', `${TASK_GRANTS}/${GRANTS}`, '-n', TEAM], 'no'],
    [controller, ['patch', `${TASK_GRANTS}/${GRANTS}`, '-n', TEAM], 'no'],
    // No ConfigMap rights at all any more.
    [controller, ['get', `configmaps/${GRANTS}`, '-n', NS], 'no'],
    [controller, ['patch', `configmaps/${GRANTS}`, '-n', NS], 'no'],
    [controller, ['create', 'configmaps', '-n', NS], 'no'],
    [controller, ['create', 'configmaps', '-n', TEAM], 'no'],
    [controller, ['list', 'configmaps', '-A'], 'no'],
    // The namespace user keeps TaskGrants in TEAM but cannot touch the grants.
    [TEAM_USER, ['create', TASK_GRANTS, '-n', TEAM], 'yes'],
    [TEAM_USER, ['patch', `${TASK_GRANTS}/${GRANTS}`, '-n', NS], 'no'],
    [TEAM_USER, ['create', TASK_GRANTS, '-n', NS], 'no'],
  ];
  for (const [as, args, want] of table) {
    assert.equal(await can(as, args), want, `${as} ${args.join(' ')}`);
  }
});
