/**
 * The controller process behind `mezzo controller`: leader election, the standby's HTTP
 * answers, and the leader's controller and built-in frameworks. Loaded only when the
 * command runs, so that the rest of the CLI does not pay for the Kubernetes client.
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { accessFromFlags } from '../../auth/access-from-flags.js';
import { kubeServerAccess, tlsFromFlags } from '../../auth/kube-flags.js';
import { MezzoError } from '../../shared/errors.js';
import type { CertificateReloader } from '../../shared/tls/certificate-reloader.js';
import { readTokenFile } from '../../auth/token.js';
import type { AccessControl } from '../../auth/types.js';
import { Controller, type RecordEvent } from '../../controller/controller.js';
import { startStandbyHttp } from '../../controller/http/standby.js';
import { startBuiltinFrameworks } from '../../frameworks/builtin.js';
import { LEADER_HTTP_ANNOTATION, LeaderElector } from '../../kube/leader-election.js';
import { LEADER_HTTP_SCHEME_ANNOTATION } from '../../kube/lease-annotations.js';
import { EventRecorder } from '../../kube/events.js';
import { kubeConfigsFor, rateLimitFromFlags } from '../../kube/rate-limit.js';
import { EmbeddedStore } from '../../store/embedded.js';
import { KubernetesStore } from '../../store/kubernetes.js';
import type { Store } from '../../store/types.js';
import { SystemClock } from '../../shared/clock.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { installProcessGuards } from '../../shared/process-guards.js';

import type { ControllerFlags } from './controller.js';
import type { GrantWriter } from '../../controller/task-grants.js';
import { TaskGrantsObject } from '../../kube/task-grants-object.js';

function closeStandby(held: { standby?: Server }): void {
  held.standby?.close();
  held.standby = undefined;
}

/** How the leader's servers guard and encrypt, and how its built-in frameworks get in. */
interface ServerSecurity {
  readonly access: AccessControl;
  /** The built-in frameworks' token (Kubernetes mode: an in-process identity). */
  readonly builtinToken?: string;
  readonly tls?: CertificateReloader;
  /** PEM the built-in frameworks verify the controller with, under TLS. */
  readonly ca?: Buffer;
}

async function lead(
  flags: ControllerFlags,
  security: ServerSecurity,
  store: Store,
  logger: Logger,
  metrics: MetricsRegistry,
  events?: EventRecorder,
  grantWriter?: GrantWriter,
): Promise<() => Promise<void>> {
  const clock = new SystemClock();
  const recordEvent: RecordEvent | undefined = events
    ? (target, type, reason, message) => {
        void events.record({ apiVersion: 'mezzo.dev/v1alpha1', ...target }, type, reason, message);
      }
    : undefined;
  const controller = new Controller({
    clock,
    logger: logger.child({ component: 'controller' }),
    metrics,
    store,
    access: security.access,
    ...(security.tls ? { tls: security.tls } : {}),
    grpcMaxReceiveBytes: flags.grpcMaxMessageBytes,
    host: flags.host,
    grpcPort: Number(flags.grpcPort),
    httpPort: Number(flags.httpPort),
    offerTimeoutMs: Number(flags.offerTimeout) * 1000,
    agentPingTimeoutMs: Number(flags.agentPingTimeout) * 1000,
    maxCompletedTasksPerFramework: flags.maxCompletedTasksPerFramework,
    maxCompletedFrameworks: flags.maxCompletedFrameworks,
    maxOffersPerFrameworkPerPass: flags.maxOffersPerPass,
    adaptiveOffers: flags.offerAllowance === 'adaptive',
    maxUnreadEventBytes: flags.maxUnreadEventBytes,
    frameworkCallLimit:
      flags.frameworkCallRate === 0
        ? null
        : { ratePerSecond: flags.frameworkCallRate, burst: flags.frameworkCallBurst },
    ...(flags.storeWorkers !== undefined ? { storeWorkers: flags.storeWorkers } : {}),
    taskNamespace: flags.namespace,
    recoverAllocation: true,
    recordEvent,
    ...(grantWriter ? { grantWriter } : {}),
  });
  await controller.start();
  // Each built-in framework's ID is in its Framework mirror, so a new leader resubscribes
  // as the same frameworks and keeps their tasks.
  const stopFrameworks = await startBuiltinFrameworks({
    address: controller.grpcAddress,
    // Dev-style auth: the built-in frameworks act as the administrator.
    ...(security.builtinToken ? { token: security.builtinToken } : {}),
    ...(security.tls && security.ca
      ? { ca: security.ca, serverName: certificateName(security.tls.current().cert) }
      : {}),
    store,
    logger,
    clock,
    namespace: flags.namespace,
    ...(recordEvent ? { recordEvent } : {}),
  });
  return async () => {
    stopFrameworks();
    await controller.stop();
  };
}

/** The access control and TLS the flags ask for (`--kube-auth` or dev-style tokens). */
async function serverSecurity(
  flags: ControllerFlags,
  kc: k8s.KubeConfig | undefined,
  clock: SystemClock,
  logger: Logger,
  metrics: MetricsRegistry,
): Promise<ServerSecurity> {
  const tls = tlsFromFlags(flags, clock, logger.child({ component: 'tls' }), metrics);
  const ca = flags.tlsCaFile ? { ca: await readFile(flags.tlsCaFile) } : {};
  const encrypted = tls ? { tls, ...ca } : {};
  if (flags.kubeAuth) {
    if (!kc) throw new NeedsKubernetesError('--kube-auth');
    const kube = kubeServerAccess(flags, kc, clock, metrics);
    return { access: kube.access, builtinToken: kube.internalToken, ...encrypted };
  }
  const access = await accessFromFlags(flags);
  const token = flags.tokenFile ? { builtinToken: await readTokenFile(flags.tokenFile) } : {};
  return { access, ...token, ...encrypted };
}

/** The first DNS name a certificate is for (what in-process clients verify it against). */
function certificateName(pem: Buffer): string | undefined {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return /DNS:([^,\s]+)/.exec(san)?.[1];
}

/** `--kube-auth` and `--agent-status-writes` need the apiserver, which only the Kubernetes store has. */
class NeedsKubernetesError extends MezzoError {
  constructor(flag: string) {
    super('INVALID_ARGUMENT', `${flag} needs --store kubernetes`);
  }
}

/**
 * The controller's apiserver clients, each with its own rate limiter under
 * `--kube-api-qps` (kubeConfigsFor): the store's (Task, Agent and Framework objects, the
 * built-in frameworks' requests), leader election's, the event recorder's, and the
 * token and access reviews' of `--kube-auth`.
 */
const KUBE_CLIENTS = ['store', 'leaderElection', 'events', 'auth'] as const;
type KubeClients = Record<(typeof KUBE_CLIENTS)[number], k8s.KubeConfig>;

/** Runs the controller until SIGTERM or SIGINT. */
export async function runController(flags: ControllerFlags): Promise<void> {
  const root = createLogger();
  const logger = root.child({ component: 'controller-main' });
  // One registry for the process: the leader's metrics and the process guards' counter.
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  installProcessGuards({ logger, metrics, component: 'controller' });
  const clock = new SystemClock();
  let store: Store;
  let kube: KubeClients | undefined;
  if (flags.store === 'kubernetes') {
    const limit = rateLimitFromFlags(flags.kubeApiQps, flags.kubeApiBurst);
    const { kubeconfig } = flags;
    kube = kubeConfigsFor(KUBE_CLIENTS, limit, clock, (kc) => {
      if (kubeconfig) kc.loadFromFile(kubeconfig);
      else kc.loadFromCluster();
    });
    store = new KubernetesStore(kube.store, clock, root.child({ component: 'store' }));
  } else {
    store = new EmbeddedStore(join(flags.workDir, 'state.json'), clock);
  }
  if (flags.agentStatusWrites && !kube) throw new NeedsKubernetesError('--agent-status-writes');
  const grants =
    flags.agentStatusWrites && kube ? new TaskGrantsObject(kube.store, flags.namespace) : undefined;
  // Before anything listens: no flags that let callers in is a refusal to start.
  const security = await serverSecurity(flags, kube?.auth, clock, root, metrics);
  const access = security.access;
  const identity = flags.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const address = `${flags.advertiseAddress ?? flags.host}:${flags.grpcPort}`;
  let stopLeading: (() => Promise<void>) | undefined;
  // Held in an object: the leader callback clears it.
  const held: { standby?: Server; stopping?: boolean } = {};
  const shutdown = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });

  if (!kube) {
    stopLeading = await lead(flags, security, store, root, metrics);
    await shutdown;
    await stopLeading();
    return;
  }
  const recorder = new EventRecorder({
    kubeConfig: kube.events,
    component: 'mezzo-controller',
    instance: identity,
    clock,
    logger,
    clusterEventNamespace: flags.namespace,
  });
  let leaderAddress = '';
  let leaderHttp = '';
  held.standby = (
    await startStandbyHttp(
      { logger, metrics, component: 'controller' },
      access,
      flags.host,
      Number(flags.httpPort),
      () => leaderAddress,
      security.tls,
      () => leaderHttp,
    )
  ).server;
  const elector = new LeaderElector({
    kubeConfig: kube.leaderElection,
    namespace: flags.namespace,
    leaseName: flags.leaseName,
    identity,
    address,
    annotations: {
      [LEADER_HTTP_ANNOTATION]: `${flags.advertiseAddress ?? flags.host}:${flags.httpPort}`,
      ...(security.tls ? { [LEADER_HTTP_SCHEME_ANNOTATION]: 'https' } : {}),
    },
    leaseDurationMs: Number(flags.leaseDuration) * 1000,
    renewDeadlineMs: Number(flags.renewDeadline) * 1000,
    retryPeriodMs: Number(flags.retryPeriod) * 1000,
    clock,
    logger,
    onNewLeader: (id, addr, notes) => {
      leaderAddress = addr;
      leaderHttp = notes[LEADER_HTTP_ANNOTATION] ?? '';
      logger.info('leader is', { identity: id, address: addr });
    },
    onStartedLeading: () => {
      const server = held.standby;
      held.standby = undefined;
      const begin = async () => {
        if (server) await new Promise<void>((r) => server.close(() => r()));
        stopLeading = await lead(flags, security, store, root, metrics, recorder, grants);
      };
      begin().catch((err: unknown) => {
        logger.error('could not start leading', { error: String(err) });
        process.exit(1);
      });
    },
    onStoppedLeading: () => {
      // Releasing the lease on the way out ends leadership too: that is no loss.
      if (held.stopping) return;
      logger.error('lost the lease; exiting so a restart comes back as a standby');
      process.exit(1);
    },
  });
  elector.start();
  logger.info('campaigning for leadership', {
    lease: `${flags.namespace}/${flags.leaseName}`,
    identity,
    address,
  });
  await shutdown;
  held.stopping = true;
  await stopLeading?.();
  await elector.stop();
  closeStandby(held);
  await store.close();
}
