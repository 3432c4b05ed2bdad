/**
 * A controller on the Kubernetes store with the built-in frameworks, as `mezzo controller
 * --store kubernetes` runs them, in-process for tests that look inside it.
 */
import { Controller, type ControllerOptions } from '../../../src/controller/controller.js';
import { startBuiltinFrameworks } from '../../../src/frameworks/builtin.js';
import type { KubernetesStore } from '../../../src/store/kubernetes.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { testAccess } from '../../support/auth.js';

/** A started controller and how to stop it with its frameworks (once, however often called). */
export interface KubeController {
  controller: Controller;
  stop: () => Promise<void>;
}

/**
 * Starts a controller on `store` (offer-launched tasks' objects in `namespace`, `extra`
 * options over the defaults) and the built-in frameworks; `stop` ends the frameworks, then
 * the controller (draining its queued store writes).
 */
export async function startKubeController(
  store: KubernetesStore,
  namespace: string,
  extra: Partial<ControllerOptions> = {},
): Promise<KubeController> {
  const clock = new SystemClock();
  const logger = silentLogger();
  const controller = new Controller({
    clock,
    logger,
    metrics: new MetricsRegistry(),
    store,
    access: testAccess,
    grpcPort: 0,
    httpPort: 0,
    taskNamespace: namespace,
    allocationIntervalMs: 200,
    ...extra,
  });
  await controller.start();
  let stopFrameworks: () => void;
  try {
    stopFrameworks = await startBuiltinFrameworks({
      address: controller.grpcAddress,
      store,
      logger,
      clock,
      namespace,
    });
  } catch (err) {
    await controller.stop();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    controller,
    stop: () => {
      if (!stopped) {
        stopFrameworks();
        stopped = controller.stop();
      }
      return stopped;
    },
  };
}
