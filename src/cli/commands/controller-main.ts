/**
 * The controller process behind `mezzo controller`: leader election, the standby's HTTP
 * answers, and the leader's controller and built-in frameworks. Loaded only when the
 * command runs, so that the rest of the CLI does not pay for the Kubernetes client.
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { accessFromFlags } from '../../auth/access-from-flags.js';
import { readTokenFile } from '../../auth/token.js';
import type { AccessControl } from '../../auth/types.js';
import { Controller, type RecordEvent } from '../../controller/controller.js';
import { startStandbyHttp } from '../../controller/http/standby.js';
import { startBuiltinFrameworks } from '../../frameworks/builtin.js';
import { LEADER_HTTP_ANNOTATION, LeaderElector } from '../../kube/leader-election.js';
import { EventRecorder } from '../../kube/events.js';
import { EmbeddedStore } from '../../store/embedded.js';
import { KubernetesStore } from '../../store/kubernetes.js';
import type { Store } from '../../store/types.js';
import { SystemClock } from '../../shared/clock.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { installProcessGuards } from '../../shared/process-guards.js';

import type { ControllerFlags } from './controller.js';

function closeStandby(held: { standby?: Server }): void {
  held.standby?.close();
  held.standby = undefined;
}

async function lead(
  flags: ControllerFlags,
  access: AccessControl,
  store: Store,
  logger: Logger,
  metrics: MetricsRegistry,
  events?: EventRecorder,
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
    access,
    grpcMaxReceiveBytes: flags.grpcMaxMessageBytes,
    host: flags.host,
    grpcPort: Number(flags.grpcPort),
    httpPort: Number(flags.httpPort),
    offerTimeoutMs: Number(flags.offerTimeout) * 1000,
    agentPingTimeoutMs: Number(flags.agentPingTimeout) * 1000,
    maxCompletedTasksPerFramework: flags.maxCompletedTasksPerFramework,
    maxCompletedFrameworks: flags.maxCompletedFrameworks,
    taskNamespace: flags.namespace,
    recoverAllocation: true,
    recordEvent,
  });
  await controller.start();
  // Each built-in framework's ID is in its Framework mirror, so a new leader resubscribes
  // as the same frameworks and keeps their tasks.
  const stopFrameworks = await startBuiltinFrameworks({
    address: controller.grpcAddress,
    // Dev-style auth: the built-in frameworks act as the administrator.
    ...(flags.tokenFile ? { token: await readTokenFile(flags.tokenFile) } : {}),
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

/** Runs the controller until SIGTERM or SIGINT. */
export async function runController(flags: ControllerFlags): Promise<void> {
  const root = createLogger();
  const logger = root.child({ component: 'controller-main' });
  // One registry for the process: the leader's metrics and the process guards' counter.
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  installProcessGuards({ logger, metrics, component: 'controller' });
  const clock = new SystemClock();
  // Before anything listens: no flags that let callers in is a refusal to start.
  const access = await accessFromFlags(flags);
  let store: Store;
  let kc: k8s.KubeConfig | undefined;
  if (flags.store === 'kubernetes') {
    kc = new k8s.KubeConfig();
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromCluster();
    store = new KubernetesStore(kc, clock, root.child({ component: 'store' }));
  } else {
    store = new EmbeddedStore(join(flags.workDir, 'state.json'), clock);
  }
  const identity = flags.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const address = `${flags.advertiseAddress ?? flags.host}:${flags.grpcPort}`;
  let stopLeading: (() => Promise<void>) | undefined;
  // Held in an object: the leader callback clears it.
  const held: { standby?: Server } = {};
  const shutdown = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });

  if (!kc) {
    stopLeading = await lead(flags, access, store, root, metrics);
    await shutdown;
    await stopLeading();
    return;
  }
  const recorder = new EventRecorder({
    kubeConfig: kc,
    component: 'mezzo-controller',
    instance: identity,
    clock,
    logger,
    clusterEventNamespace: flags.namespace,
  });
  let leaderAddress = '';
  held.standby = (
    await startStandbyHttp(
      { logger, metrics, component: 'controller' },
      access,
      flags.host,
      Number(flags.httpPort),
      () => leaderAddress,
    )
  ).server;
  const elector = new LeaderElector({
    kubeConfig: kc,
    namespace: flags.namespace,
    leaseName: flags.leaseName,
    identity,
    address,
    annotations: {
      [LEADER_HTTP_ANNOTATION]: `${flags.advertiseAddress ?? flags.host}:${flags.httpPort}`,
    },
    leaseDurationMs: Number(flags.leaseDuration) * 1000,
    renewDeadlineMs: Number(flags.renewDeadline) * 1000,
    retryPeriodMs: Number(flags.retryPeriod) * 1000,
    clock,
    logger,
    onNewLeader: (id, addr) => {
      leaderAddress = addr;
      logger.info('leader is', { identity: id, address: addr });
    },
    onStartedLeading: () => {
      const server = held.standby;
      held.standby = undefined;
      const begin = async () => {
        if (server) await new Promise<void>((r) => server.close(() => r()));
        stopLeading = await lead(flags, access, store, root, metrics, recorder);
      };
      begin().catch((err: unknown) => {
        logger.error('could not start leading', { error: String(err) });
        process.exit(1);
      });
    },
    onStoppedLeading: () => {
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
  await stopLeading?.();
  await elector.stop();
  closeStandby(held);
  await store.close();
}
