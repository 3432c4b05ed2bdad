/**
 * The Mezzo half: `mezzo controller` on the Kubernetes store (its own process, as it runs
 * in a cluster: leader election, the Task mirror, the built-in frameworks), `mezzo
 * sim-agents` registering N simulated agents of the nodes' shape, and M Task objects of
 * the pods' shape created at once, timed creation → status.state TASK_RUNNING through a
 * watch. Each run has its own namespace, agent names and lease, and is cleared after.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { isTerminal } from '../../../src/agent-sidecar/status-updates.js';
import { newToken } from '../../../src/auth/token.js';
import { FRAMEWORK_NAME_LABEL } from '../../../src/controller/controller.js';
import { pooledApiClient } from '../../../src/kube/pooled-client.js';
import type { RateLimit } from '../../../src/kube/rate-limit.js';
import type { ControlPlane } from '../../../test/e2e/support/control-plane.js';
import { repoRoot } from '../../../test/e2e/support/control-plane.js';
import { createAll, deleteAllSurely } from './objects.js';
import {
  agentTokens,
  applyAgentPolicy,
  removeAgentIdentities,
  removeAgentPolicy,
} from './agent-identities.js';
import { GRANTS_OBJECT } from '../../../src/controller/task-grants.js';
import {
  apiserverRequests,
  requestDelta,
  requestsPerObject,
  type RequestCounts,
} from './requests.js';
import { timedRun } from './timed-run.js';
import { freePort } from '../../../test/support/net.js';
import { controlPlanePids, start, stop, waitFor, type Started } from './processes.js';
import type { RunResult } from './run-result.js';
import type { Shape } from './shape.js';

const GROUP = { group: 'mezzo.dev', version: 'v1alpha1' };

/** What a run of the Mezzo half needs. */
export interface MezzoOptions {
  readonly nodes: number;
  readonly shape: Shape;
  readonly logDir: string;
  /** Extra node flags for the controller process (e.g. --cpu-prof). */
  readonly nodeFlags: readonly string[];
  /** Extra `mezzo controller` flags (e.g. `--store-workers=64`). */
  readonly controllerFlags?: readonly string[];
  /**
   * Agents write their Tasks' RUNNING status, each with a token bound to a pod on its own
   * node, under the chart's admission policy (agent-identities.ts); the controller runs
   * with `--agent-status-writes`.
   */
  readonly agentStatusWrites?: boolean;
}

/** Runs of Mezzo against one control plane (CRDs applied once). */
export class MezzoSide {
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly kc: k8s.KubeConfig;
  private runs = 0;
  private readonly tokenFile: string;

  private constructor(
    private readonly cp: ControlPlane,
    private readonly opts: MezzoOptions,
  ) {
    this.kc = cp.kubeConfig();
    this.core = pooledApiClient(this.kc, k8s.CoreV1Api);
    this.custom = pooledApiClient(this.kc, k8s.CustomObjectsApi);
    this.tokenFile = join(opts.logDir, 'token');
    writeFileSync(this.tokenFile, `${newToken()}\n`, { mode: 0o600 });
  }

  /** Applies Mezzo's CRDs. */
  static async setUp(cp: ControlPlane, opts: MezzoOptions): Promise<MezzoSide> {
    await cp.kubectl(['apply', '-f', join(repoRoot, 'crds')]);
    return new MezzoSide(cp, opts);
  }

  /**
   * One run: the controller with `limit` (undefined: its default, no limit), the agents,
   * M Tasks created at once, timed until all are RUNNING or `limitMs` has passed.
   */
  async run(
    objects: number,
    limit: RateLimit | undefined,
    limitMs: number,
    inFlight: number,
  ): Promise<RunResult> {
    const run = ++this.runs;
    const namespace = `sbs-mezzo-${String(run)}`;
    const { shape, logDir, nodes } = this.opts;
    await this.core.createNamespace({ body: { metadata: { name: namespace } } });
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const bin = join(repoRoot, 'bin/mezzo.js');
    const env = { ...process.env, MEZZO_LOG_LEVEL: process.env.MEZZO_LOG_LEVEL ?? 'warn' };
    const hostnames = Array.from({ length: nodes }, (_, i) => `sim${String(run)}-${String(i + 1)}`);
    const writes = this.opts.agentStatusWrites === true;
    const nodeTokens = join(logDir, `node-tokens-${String(run)}.json`);
    // The run's namespace is the controller's, where the policy looks for its grant map.
    const policy = writes ? await applyAgentPolicy(this.cp, namespace) : '';
    if (writes) {
      const tokens = await agentTokens(this.core, namespace, hostnames);
      writeFileSync(nodeTokens, JSON.stringify(tokens), { mode: 0o600 });
    }
    const controller = start(
      'mezzo-controller',
      process.execPath,
      [
        ...this.opts.nodeFlags,
        bin,
        'controller',
        '--store',
        'kubernetes',
        '--kubeconfig',
        this.cp.kubeconfigPath,
        '--namespace',
        namespace,
        '--host',
        '127.0.0.1',
        '--grpc-port',
        String(grpcPort),
        '--http-port',
        String(httpPort),
        '--identity',
        `sbs-${String(run)}`,
        '--token-file',
        this.tokenFile,
        ...(limit
          ? ['--kube-api-qps', String(limit.qps), '--kube-api-burst', String(limit.burst)]
          : []),
        ...(this.opts.controllerFlags ?? []),
        ...(writes ? ['--agent-status-writes'] : []),
      ],
      join(logDir, `mezzo-controller-${String(run)}.log`),
      { env },
    );
    let agents: Started | undefined;
    try {
      await waitFor('the default framework subscribed', () => this.defaultFramework(namespace));
      // Started once the controller serves: agents that dialled before it listened stayed
      // disconnected for minutes when tried.
      agents = start(
        'sim-agents',
        process.execPath,
        [
          bin,
          'sim-agents',
          '--controller',
          `127.0.0.1:${String(grpcPort)}`,
          '--count',
          String(nodes),
          '--cpus',
          String(shape.nodeCpus),
          '--mem',
          String(shape.nodeMemMi),
          '--zones',
          String(shape.zones),
          '--prefix',
          `sim${String(run)}`,
          '--token-file',
          this.tokenFile,
          '--log-level',
          env.MEZZO_LOG_LEVEL,
          ...(writes
            ? [
                '--write-task-status',
                '--kubeconfig',
                this.cp.kubeconfigPath,
                '--node-tokens',
                nodeTokens,
              ]
            : []),
        ],
        join(logDir, `sim-agents-${String(run)}.log`),
        { env, pipeStdout: true },
      );
      let registered = false;
      agents.child.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('"registered"')) registered = true;
      });
      await waitFor(`${String(nodes)} simulated agents registered`, () => registered, 300_000);
      // As KWOK's nodes exist before the pods come: the controller has written every
      // agent's Agent object, so those writes do not share the timed run's client limit.
      await waitFor(
        `${String(nodes)} Agent objects written`,
        async () => (await this.agentObjects(`sim${String(run)}-`)) >= nodes,
        300_000,
      );
      // Those writes emptied the store's token bucket; kube-scheduler's is full when the
      // pods come (it wrote nothing before). Both start with a full burst: burst/qps
      // seconds of no writes refill it.
      if (limit) await sleep((limit.burst / limit.qps) * 1000 + 500);
      const offers0 = await this.offerCounts(httpPort);
      const timed = await timedRun({
        kc: this.kc,
        path: `/apis/${GROUP.group}/${GROUP.version}/namespaces/${namespace}/tasks`,
        prefix: `t${String(run)}-`,
        objects,
        // A task that ended before the watch saw it RUNNING had run by then.
        running: (o) => {
          const state = (o.status as { state?: string } | undefined)?.state ?? '';
          return state === 'TASK_RUNNING' || (state !== '' && isTerminal(state));
        },
        create: (name) =>
          this.custom.createNamespacedCustomObject({
            ...GROUP,
            plural: 'tasks',
            namespace,
            body: this.task(name, namespace),
          }),
        pids: {
          'mezzo-controller': controller.child.pid,
          'sim-agents': agents.child.pid,
          ...controlPlanePids(this.cp.dir),
        },
        limitMs,
        inFlight,
        requests: () => apiserverRequests(this.cp),
      });
      const offers = requestDelta(offers0, await this.offerCounts(httpPort));
      return {
        scheduler: 'mezzo',
        limit: limit
          ? { qps: limit.qps, burst: limit.burst, source: 'equal' }
          : { qps: null, burst: null, source: 'default' },
        nodes,
        ...timed,
        offers: { total: offers, per_object: requestsPerObject(offers, objects) },
      };
    } finally {
      if (agents) await stop(agents);
      await stop(controller, 15_000);
      if (writes) {
        rmSync(nodeTokens, { force: true });
        await removeAgentIdentities(this.core, namespace, hostnames);
        await removeAgentPolicy(this.cp, policy);
      }
      await this.clear(namespace, `sim${String(run)}-`);
    }
  }

  private task(name: string, namespace: string): Record<string, unknown> {
    const { cpuMilli, memMi } = this.opts.shape;
    return {
      apiVersion: `${GROUP.group}/${GROUP.version}`,
      kind: 'Task',
      metadata: { name, namespace },
      spec: {
        command: 'sleep infinity',
        resources: { cpus: cpuMilli / 1000, mem: memMi },
        // Simulated agents run it until killed, as the pods run until deleted.
        labels: { 'sim.mezzo.dev/duration': 'forever' },
      },
    };
  }

  /** The controller's offers so far by outcome (its /metrics, with the run's token). */
  private async offerCounts(httpPort: number): Promise<RequestCounts> {
    const token = readFileSync(this.tokenFile, 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${String(httpPort)}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`controller /metrics: HTTP ${String(res.status)}`);
    const out: RequestCounts = {};
    for (const m of (await res.text()).matchAll(
      /^mezzo_controller_offers_total\{result="([^"]*)"\} ([0-9.e+]+)$/gm,
    ))
      out[m[1] ?? ''] = Number(m[2]);
    return out;
  }

  /** Agent objects whose name starts with `prefix` (the run's simulated agents). */
  private async agentObjects(prefix: string): Promise<number> {
    return (await this.agentNames(prefix)).length;
  }

  /** The names of the Agent objects (cluster-scoped) that start with `prefix`. */
  private async agentNames(prefix: string): Promise<string[]> {
    const list = (await this.custom.listClusterCustomObject({ ...GROUP, plural: 'agents' })) as {
      items: { metadata?: k8s.V1ObjectMeta }[];
    };
    return list.items.map((a) => a.metadata?.name ?? '').filter((n) => n.startsWith(prefix));
  }

  private async defaultFramework(namespace: string): Promise<boolean> {
    const list = (await this.custom.listNamespacedCustomObject({
      ...GROUP,
      plural: 'frameworks',
      namespace,
    })) as { items: { metadata?: k8s.V1ObjectMeta }[] };
    return list.items.some((f) =>
      (f.metadata?.labels?.[FRAMEWORK_NAME_LABEL] ?? '').includes('default'),
    );
  }

  /**
   * The controller is gone: its finalizers are dropped by hand, then the objects go, the
   * run's Agent objects (cluster-scoped) with them. Left behind, they would tell the next
   * run's controller that a cluster of that many agents is recovering: it pauses
   * allocation until as many agents have registered or its agent ping timeout passes
   * (30 s), and the third run (2,000 such agents, 1,000 registering) spent most of that
   * pause inside its timed window.
   */
  private async clear(namespace: string, agentPrefix: string): Promise<void> {
    for (const plural of ['tasks', 'frameworks']) {
      const list = (await this.custom.listNamespacedCustomObject({
        ...GROUP,
        plural,
        namespace,
      })) as { items: { metadata?: k8s.V1ObjectMeta }[] };
      const names = list.items.map((o) => o.metadata?.name ?? '');
      await createAll(
        names.length,
        32,
        (i) => names[i] ?? '',
        (name) =>
          this.custom.patchNamespacedCustomObject(
            { ...GROUP, plural, namespace, name, body: { metadata: { finalizers: null } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          ),
      );
    }
    // No namespace controller runs here to empty a deleted namespace: the objects go first.
    for (const plural of ['tasks', 'frameworks'])
      await deleteAllSurely(
        `${plural} deleted`,
        () => this.custom.deleteCollectionNamespacedCustomObject({ ...GROUP, plural, namespace }),
        async () =>
          (
            (await this.custom.listNamespacedCustomObject({ ...GROUP, plural, namespace })) as {
              items: unknown[];
            }
          ).items.length,
      );
    // The controller's grant map too (--agent-status-writes), for the same reason.
    await this.custom
      .deleteNamespacedCustomObject({
        ...GROUP,
        plural: 'taskgrants',
        namespace,
        name: GRANTS_OBJECT,
      })
      .catch((err: unknown) => {
        if ((err as { code?: unknown }).code !== 404) throw err;
      });
    await this.core.deleteNamespace({ name: namespace });
    const names = await this.agentNames(agentPrefix);
    await createAll(
      names.length,
      32,
      (i) => names[i] ?? '',
      (name) => this.custom.deleteClusterCustomObject({ ...GROUP, plural: 'agents', name }),
    );
  }
}
