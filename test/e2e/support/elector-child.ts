// A leader-election candidate as its own process, so a test can SIGKILL a leader.
// argv: kubeconfig namespace leaseName identity address
import { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../../src/kube/leader-election.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';

const [kubeconfig, namespace, leaseName, identity, address] = process.argv.slice(2);
if (!kubeconfig || !namespace || !leaseName || !identity || !address) {
  process.stderr.write('usage: elector-child KUBECONFIG NAMESPACE LEASE IDENTITY ADDRESS\n');
  process.exit(2);
}
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const elector = new LeaderElector({
  kubeConfig: kc,
  namespace,
  leaseName,
  identity,
  address,
  leaseDurationMs: 2_000,
  renewDeadlineMs: 1_500,
  retryPeriodMs: 200,
  clock: new SystemClock(),
  logger: silentLogger(),
  onStartedLeading: () => process.stdout.write('LEADING\n'),
  onStoppedLeading: () => process.stdout.write('STOPPED\n'),
});
elector.start();
// Keep the process alive: the elector's timers are unref'd.
setInterval(() => undefined, 1 << 30);
