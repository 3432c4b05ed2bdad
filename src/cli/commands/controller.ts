/**
 * `mezzo controller`: the controller as Kubernetes runs it (the chart's Deployment), or
 * as an e2e test runs it on a host. With `--store kubernetes` the CRDs are the source of
 * truth and replicas elect a leader with a Lease: only the leader serves the scheduler
 * and agent APIs (standbys serve /healthz, /readyz and a /state naming the leader); a
 * leader that loses its lease exits, so its restart comes back as a standby, as
 * client-go's leader election recommends.
 */
import { MAX_UNREAD_EVENT_BYTES } from '../../controller/bounded-subscription.js';
import { DEFAULT_FRAMEWORK_CALL_LIMIT } from '../../controller/call-pacing.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { kubeAccessOptions, type KubeAccessFlags } from '../../auth/kube-flags.js';
import { DEFAULT_MAX_RECEIVE_BYTES } from '../../shared/grpc.js';
import { DEFAULT_COMPLETED_BOUNDS, parseBound } from '../../controller/completed-tasks.js';

/** The flags of `mezzo controller`. */
export interface ControllerFlags extends KubeAccessFlags {
  store: 'kubernetes' | 'embedded';
  kubeconfig?: string;
  namespace: string;
  workDir: string;
  host: string;
  httpPort: string;
  grpcPort: string;
  advertiseAddress?: string;
  identity?: string;
  leaseName: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  offerTimeout: string;
  agentPingTimeout: string;
  maxCompletedTasksPerFramework: number;
  maxCompletedFrameworks: number;
  /** Dev-style auth: the administrator's token (see src/auth/access-from-flags.ts). */
  tokenFile?: string;
  staticTokens?: string;
  authzPolicy?: string;
  grpcMaxMessageBytes: number;
  /** Client-side limit on apiserver requests (src/kube/rate-limit.ts); none when unset. */
  kubeApiQps?: number;
  kubeApiBurst?: number;
  /** Store writes in flight at once (the controller's STORE_WORKERS when unset). */
  storeWorkers?: number;
  /** Agents that say so write their Tasks' live status under per-namespace grants. */
  agentStatusWrites?: boolean;
  /** Agents one framework is offered in one allocation pass at most; 0: no bound. */
  maxOffersPerPass: number;
  offerAllowance: 'adaptive' | 'off';
  /** Bytes of events a framework may leave unread before its stream is ended. */
  maxUnreadEventBytes: number;
  /** Scheduler-call tokens a second per principal; 0: unpaced. */
  frameworkCallRate: number;
  /** Scheduler-call tokens a principal may spend at once (and owe while its calls wait). */
  frameworkCallBurst: number;
}

/** The flags that choose how callers are authenticated, for `mezzo controller` and `mezzo agent`. */
export function accessOptions(cmd: Command): Command {
  return cmd
    .option(
      '--token-file <file>',
      "dev-style auth: the administrator's bearer token (group system:masters)",
    )
    .option(
      '--static-tokens <file>',
      'dev-style auth: more identities, one a line: token,user,uid,"group1,group2"',
    )
    .option(
      '--authz-policy <file>',
      "dev-style auth: YAML rules granting those identities' rights",
    );
}

/** --grpc-max-message-bytes: the largest gRPC message a server accepts. */
export function grpcMaxMessageOption(): Option {
  return new Option('--grpc-max-message-bytes <n>', 'largest gRPC message accepted, bytes')
    .argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1024 || n > 256 * 1024 * 1024)
        throw new InvalidArgumentError('an integer from 1024 to 268435456');
      return n;
    })
    .default(DEFAULT_MAX_RECEIVE_BYTES);
}

/** --max-completed-tasks-per-framework, for `mezzo controller` and `mezzo dev`. */
export function maxCompletedTasksOption(): Option {
  return new Option(
    '--max-completed-tasks-per-framework <n>',
    'finished tasks kept in memory per framework (older ones only in the store)',
  )
    .argParser((v) => parseBound('--max-completed-tasks-per-framework', v))
    .default(DEFAULT_COMPLETED_BOUNDS.tasksPerFramework);
}

function finiteNumber(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`${name}: a number above 0`);
  return n;
}

function wholeInRange(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name}: a whole number from ${String(min)} to ${String(max)}`);
  return n;
}

/** Adds `controller` to the program. */
export function registerController(program: Command): void {
  const cmd = program
    .command('controller')
    .description(
      'run the controller (Kubernetes store with Lease leader election, or the embedded store)',
    )
    .option('--store <kind>', 'kubernetes or embedded', 'kubernetes')
    .option('--kubeconfig <path>', 'kubeconfig (default: in-cluster service account)')
    .option('--namespace <ns>', 'namespace of the Lease and the default framework', 'mezzo-system')
    .option('--work-dir <dir>', 'embedded store location', '.mezzo')
    .option('--host <addr>', 'listen address', '0.0.0.0')
    .option('--http-port <port>', 'HTTP port', '5050')
    .option('--grpc-port <port>', 'gRPC port', '5051')
    .option('--advertise-address <addr>', 'address clients reach this replica at (default: --host)')
    .option('--identity <id>', 'leader-election identity (default: $POD_NAME or host-pid)')
    .option('--lease-name <name>', 'Lease used for leader election', 'mezzo-controller')
    .option('--lease-duration <s>', 'lease duration, seconds', '15')
    .option('--renew-deadline <s>', 'renew deadline, seconds', '10')
    .option('--retry-period <s>', 'retry period, seconds', '2')
    .option('--offer-timeout <s>', 'offer timeout, seconds', '30')
    .option('--agent-ping-timeout <s>', 'agent ping timeout, seconds', '30')
    .addOption(maxCompletedTasksOption())
    .option(
      '--max-completed-frameworks <n>',
      'removed frameworks whose finished tasks are kept in memory',
      (v) => parseBound('--max-completed-frameworks', v),
      DEFAULT_COMPLETED_BOUNDS.frameworks,
    )
    .addOption(grpcMaxMessageOption())
    .option(
      '--kube-api-qps <n>',
      "requests a second to the apiserver for each of the controller's clients (store, leader election, events, access reviews), as client-go counts them (default: no limit)",
      (v) => finiteNumber('--kube-api-qps', v),
    )
    .option(
      '--kube-api-burst <n>',
      'requests sent at once before --kube-api-qps applies (default: the qps rounded up)',
      (v) => finiteNumber('--kube-api-burst', v),
    )
    .option(
      '--agent-status-writes',
      "let agents that write their tasks' live status (agent --write-task-status) do so: the controller grants each such Task to its agent's node in the mezzo-task-grants TaskGrants object of its --namespace, which the chart's admission policy checks (Kubernetes store only)",
    )
    .option(
      '--store-workers <n>',
      'store writes (Task and Agent objects) in flight at once, 1-256 (default: 64)',
      (v) => wholeInRange('--store-workers', v, 1, 256),
    )
    .option(
      '--max-offers-per-pass <n>',
      'agents one framework is offered in one allocation pass at most; 0: no bound, as in Mesos (see docs/performance.md for large clusters)',
      (v) => wholeInRange('--max-offers-per-pass', v, 0, 1_000_000),
      0,
    )
    .addOption(
      new Option(
        '--offer-allowance <mode>',
        "adaptive: a framework's agents a pass follow the offers it used (16 at first, then 3x those used since the last pass, at least 2); off: every free agent each pass, as in Mesos",
      )
        .choices(['adaptive', 'off'])
        .default('adaptive'),
    )
    .option(
      '--max-unread-event-bytes <n>',
      "bytes of events a framework's scheduler may leave unread before its event stream is ended (RESOURCE_EXHAUSTED; it may subscribe again), 65536-1073741824",
      (v) => wholeInRange('--max-unread-event-bytes', v, 65_536, 1_073_741_824),
      MAX_UNREAD_EVENT_BYTES,
    )
    .option(
      '--framework-call-rate <n>',
      'scheduler calls a second per principal (a reconciliation costs one more per 10 tasks); past the burst a call waits its turn, past as much again it is refused (RESOURCE_EXHAUSTED, 429); 0: unpaced',
      (v) => wholeInRange('--framework-call-rate', v, 0, 1_000_000),
      DEFAULT_FRAMEWORK_CALL_LIMIT.ratePerSecond,
    )
    .option(
      '--framework-call-burst <n>',
      'scheduler calls a principal may make at once before --framework-call-rate applies, 1-10000000',
      (v) => wholeInRange('--framework-call-burst', v, 1, 10_000_000),
      DEFAULT_FRAMEWORK_CALL_LIMIT.burst,
    );
  kubeAccessOptions(accessOptions(cmd)).action(async (flags: ControllerFlags) => {
    const { runController } = await import('./controller-main.js');
    await runController(flags);
  });
}
