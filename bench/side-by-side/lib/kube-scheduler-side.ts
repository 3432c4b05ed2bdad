/**
 * The kube-scheduler half: N nodes simulated by KWOK (nodes Ready, pods Running once
 * bound, through KWOK's own "fast" stages), kube-scheduler from the same k8s.io/kubernetes
 * build as the apiserver, and M pods of one shape created at once, timed creation →
 * phase Running through a watch.
 */
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { pooledApiClient } from '../../../src/kube/pooled-client.js';
import type { RateLimit } from '../../../src/kube/rate-limit.js';
import type { ControlPlane } from '../../../test/e2e/support/control-plane.js';
import { createAll, deleteAllSurely } from './objects.js';
import { apiserverRequests } from './requests.js';
import { timedRun } from './timed-run.js';
import { freePort } from '../../../test/support/net.js';
import { controlPlanePids, start, stop, waitFor, type Started } from './processes.js';
import type { RunResult } from './run-result.js';
import type { Shape } from './shape.js';

/** kube-scheduler's own client limit when no flag is given (its --kube-api-qps/-burst). */
export const KUBE_SCHEDULER_DEFAULT: RateLimit = { qps: 50, burst: 100 };

const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/** The nodes and KWOK, set up once for every kube-scheduler run. */
export class KubeSchedulerSide {
  private readonly core: k8s.CoreV1Api;
  private runs = 0;

  private constructor(
    private readonly cp: ControlPlane,
    private readonly kc: k8s.KubeConfig,
    private readonly nodes: number,
    private readonly shape: Shape,
    private readonly logDir: string,
    private readonly kwok: Started,
    private readonly namespace: string,
  ) {
    this.core = pooledApiClient(kc, k8s.CoreV1Api);
  }

  /** Creates the namespace and N nodes, and starts KWOK on them (all Ready). */
  static async setUp(
    cp: ControlPlane,
    kwokDir: string,
    nodes: number,
    shape: Shape,
    logDir: string,
  ): Promise<KubeSchedulerSide> {
    const kc = cp.kubeConfig();
    const core = pooledApiClient(kc, k8s.CoreV1Api);
    const namespace = 'sbs-pods';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // The ServiceAccount admission wants the default account, which no controller makes here.
    await core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: 'default' } },
    });
    const nodeName = (i: number) => `kwok-${String(i).padStart(5, '0')}`;
    const capacity = {
      cpu: String(shape.nodeCpus),
      memory: `${String(shape.nodeMemMi)}Mi`,
      pods: '110',
    };
    await createAll(nodes, 32, nodeName, (name) =>
      core.createNode({
        body: {
          metadata: {
            name,
            annotations: { [KWOK_ANNOTATION]: 'fake' },
            labels: {
              type: 'kwok',
              'kubernetes.io/hostname': name,
              'topology.kubernetes.io/zone': `zone-${String(Number(name.slice(5)) % shape.zones)}`,
            },
          },
          status: { capacity, allocatable: capacity },
        },
      }),
    );
    // The apiserver's TaintNodesByCondition admission taints a new node not-ready; the
    // node lifecycle controller (not run here) would lift it once the node is Ready.
    await createAll(nodes, 32, nodeName, (name) =>
      core.patchNode(
        { name, body: { spec: { taints: null } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    const kwok = start(
      'kwok',
      join(kwokDir, 'bin/kwok'),
      [
        '--kubeconfig',
        cp.kubeconfigPath,
        '--config',
        join(kwokDir, 'stages.yaml'),
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
      ],
      join(logDir, 'kwok.log'),
    );
    const side = new KubeSchedulerSide(cp, kc, nodes, shape, logDir, kwok, namespace);
    await waitFor('KWOK nodes Ready', async () => (await side.readyNodes()) >= nodes, 180_000, 500);
    return side;
  }

  private async readyNodes(): Promise<number> {
    const list = await this.core.listNode();
    return list.items.filter(
      (n) =>
        n.metadata?.annotations?.[KWOK_ANNOTATION] === 'fake' &&
        (n.spec?.taints ?? []).length === 0 &&
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  }

  /**
   * One run: kube-scheduler with `limit` (undefined: its defaults), M pods created at
   * once, timed until all are Running or `limitMs` has passed.
   */
  async run(
    objects: number,
    limit: RateLimit | undefined,
    limitMs: number,
    inFlight: number,
  ): Promise<RunResult> {
    const run = ++this.runs;
    const port = await freePort();
    const kubeconfig = this.cp.kubeconfigPath;
    const scheduler = start(
      'kube-scheduler',
      join(dirname(this.cp.kubectlPath), 'kube-scheduler'),
      [
        '--kubeconfig',
        kubeconfig,
        '--authentication-kubeconfig',
        kubeconfig,
        '--authorization-kubeconfig',
        kubeconfig,
        '--bind-address',
        '127.0.0.1',
        '--secure-port',
        String(port),
        '--leader-elect=false',
        ...(limit
          ? ['--kube-api-qps', String(limit.qps), '--kube-api-burst', String(limit.burst)]
          : []),
      ],
      join(this.logDir, `kube-scheduler-${String(run)}.log`),
    );
    try {
      await waitFor('kube-scheduler ready', () => healthy(port), 60_000, 250);
      const timed = await timedRun({
        kc: this.kc,
        path: `/api/v1/namespaces/${this.namespace}/pods`,
        prefix: `p${String(run)}-`,
        objects,
        running: (o) => (o.status as { phase?: string } | undefined)?.phase === 'Running',
        create: (name) =>
          this.core.createNamespacedPod({ namespace: this.namespace, body: this.pod(name) }),
        pids: {
          'kube-scheduler': scheduler.child.pid,
          kwok: this.kwok.child.pid,
          ...controlPlanePids(this.cp.dir),
        },
        limitMs,
        inFlight,
        requests: () => apiserverRequests(this.cp),
      });
      return {
        scheduler: 'kube-scheduler',
        limit: limit
          ? { qps: limit.qps, burst: limit.burst, source: 'equal' }
          : { ...KUBE_SCHEDULER_DEFAULT, source: 'default' },
        nodes: this.nodes,
        ...timed,
      };
    } finally {
      await stop(scheduler);
      await this.deletePods();
    }
  }

  private pod(name: string): k8s.V1Pod {
    return {
      metadata: { name, namespace: this.namespace },
      spec: {
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'main',
            image: 'registry.k8s.io/pause:3.10',
            resources: {
              requests: {
                cpu: `${String(this.shape.cpuMilli)}m`,
                memory: `${String(this.shape.memMi)}Mi`,
              },
            },
          },
        ],
      },
    };
  }

  // Forced deletion (grace 0) removes the pods at once: the next run starts from none.
  private async deletePods(): Promise<void> {
    await deleteAllSurely(
      'pods deleted',
      () =>
        this.core.deleteCollectionNamespacedPod({
          namespace: this.namespace,
          gracePeriodSeconds: 0,
        }),
      async () => (await this.core.listNamespacedPod({ namespace: this.namespace })).items.length,
    );
  }

  /** Stops KWOK (the nodes stay: the control plane goes at the end of the bench). */
  async tearDown(): Promise<void> {
    await stop(this.kwok);
  }
}

async function healthy(port: number): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
