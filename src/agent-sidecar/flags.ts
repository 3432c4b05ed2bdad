/**
 * The `mezzo agent` flags, shared by the CLI subcommand and the standalone entry point
 * (src/agent-sidecar/main.ts), and the run loop that keeps the agent up until a signal.
 */
import type { Command } from 'commander';
import type { AccessControl } from '../auth/types.js';
import type { TaskStatusPatch } from '../kube/task-status-patch.js';
import { SystemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { installProcessGuards } from '../shared/process-guards.js';
import { describeError } from '../shared/errors.js';
import { Agent } from './agent.js';
import { mergeAttributes, readNode } from './node-labels.js';
import {
  capacityResources,
  defaultConfig,
  defaultResources,
  parseAttributes,
  parseResources,
  type AgentConfig,
} from './config.js';

/** Raw option values as commander parses them. */
export interface AgentFlags {
  controller: string;
  tokenFile?: string;
  controllerCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsReload: string;
  kubeAuth?: boolean;
  workDir: string;
  resources?: string;
  reserveCpus: string;
  reserveMem: string;
  attributes?: string;
  hostname?: string;
  nodeName?: string;
  host: string;
  port: string;
  cgroupRoot: string;
  cgroupVersion?: string;
  user: string;
  allowRoot?: boolean;
  pidNamespace?: boolean;
  pidsLimit: string;
  killGrace: string;
  gcAge: string;
  fetcherCacheMb: string;
  usageInterval: string;
  statusUpdateRetryMin: string;
  statusUpdateRetryMax: string;
  logLevel?: string;
  nodeLabels?: boolean;
  kubeconfig?: string;
  writeTaskStatus?: boolean;
}

/** Adds the agent's options to `cmd`. */
export function addAgentOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--controller <addrs>', 'controller gRPC address(es), host:port[,host:port]')
    .option(
      '--token-file <file>',
      'bearer token for the controller, re-read at each connect (default: $MEZZO_TOKEN, $MEZZO_TOKEN_FILE)',
    )
    .option(
      '--controller-ca-file <file>',
      'connect over TLS, verifying the controller with this CA',
    )
    .option('--tls-cert-file <file>', 'serve the HTTP port over TLS with this certificate (PEM)')
    .option('--tls-key-file <file>', "the --tls-cert-file certificate's private key (PEM)")
    .option('--tls-reload <s>', 'how often the certificate files are re-read, seconds', '10')
    .option(
      '--kube-auth',
      'check callers of the HTTP port with TokenReview and SubjectAccessReview (in a cluster)',
    )
    .requiredOption('--work-dir <dir>', 'checkpoints, sandboxes and fetcher cache live here')
    .option(
      '--resources <text>',
      "total resources, Mesos text form: 'cpus:2;mem:1024;ports:[31000-32000]'",
    )
    .option('--reserve-cpus <n>', 'without --resources: cores held back from the node', '0.5')
    .option('--reserve-mem <mib>', 'without --resources: MiB held back from the node', '512')
    .option('--attributes <text>', "attributes, 'rack:r1;zone:a'")
    .option('--hostname <name>', 'hostname to advertise')
    .option('--node-name <name>', 'Kubernetes node name (default $NODE_NAME)')
    .option(
      '--host <addr>',
      'bind address of the HTTP port (/metrics, /healthz, /state)',
      '127.0.0.1',
    )
    .option('--port <n>', 'HTTP port (0 picks one)', '5051')
    .option('--cgroup-root <name>', 'cgroup under which task cgroups are created', 'mezzo')
    .option('--cgroup-version <1|2>', 'force a cgroup version (default: detect)')
    .option('--user <name>', 'default Unix user for tasks', 'nobody')
    .option('--allow-root', 'allow tasks to run as root')
    .option('--pid-namespace', 'run each task in its own pid and mount namespaces')
    .option('--pids-limit <n>', 'pids.max per task (0: unlimited)', '1024')
    .option('--kill-grace <s>', 'default SIGTERM→SIGKILL grace period, seconds', '3')
    .option('--gc-age <s>', 'remove finished sandboxes this long after the end', String(7 * 86400))
    .option('--fetcher-cache-mb <mib>', 'fetcher cache size bound', '1024')
    .option('--usage-interval <s>', 'resource usage report interval, seconds', '10')
    .option(
      '--status-update-retry-min <s>',
      'first resend of an unacknowledged status update, seconds (raised to match the acknowledgement latency)',
      '10',
    )
    .option('--status-update-retry-max <s>', 'longest wait between resends, seconds', '600')
    .option(
      '--node-labels',
      "add the Kubernetes node's labels as attributes (default: when in a cluster with a node name)",
    )
    .option('--no-node-labels', "never read the Kubernetes node's labels")
    .option(
      '--kubeconfig <path>',
      'kubeconfig for --node-labels and --write-task-status outside a cluster',
    )
    .option(
      '--write-task-status',
      "write the RUNNING status of Task objects this agent's tasks were launched for, with the agent's own apiserver credentials (needs --node-name, and a controller with --agent-status-writes)",
    )
    .option('--log-level <level>', 'error|warn|info|debug');
}

/** A non-negative number flag, or an error naming the flag. */
function num(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: "${v}" is not a number >= 0`);
  return n;
}

/** The agent port's certificate flags: both files or neither. */
function httpTls(f: AgentFlags): Pick<AgentConfig, 'httpTls'> {
  if (!f.tlsCertFile && !f.tlsKeyFile) return {};
  if (!f.tlsCertFile || !f.tlsKeyFile)
    throw new Error('--tls-cert-file and --tls-key-file go together');
  return {
    httpTls: {
      certFile: f.tlsCertFile,
      keyFile: f.tlsKeyFile,
      reloadSeconds: Math.max(1, num(f.tlsReload, 'tls-reload')),
    },
  };
}

/** Turns parsed flags into a config. */
export function configFromFlags(f: AgentFlags): AgentConfig {
  return defaultConfig({
    workDir: f.workDir,
    controllers: f.controller
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    resources: f.resources
      ? parseResources(f.resources)
      : defaultResources(num(f.reserveCpus, 'reserve-cpus'), num(f.reserveMem, 'reserve-mem')),
    attributes: f.attributes ? parseAttributes(f.attributes) : [],
    ...(f.hostname ? { hostname: f.hostname } : {}),
    ...(f.tokenFile ? { tokenFile: f.tokenFile } : {}),
    ...(f.controllerCaFile ? { controllerCaFile: f.controllerCaFile } : {}),
    ...(f.nodeName ? { nodeName: f.nodeName } : {}),
    httpHost: f.host,
    httpPort: num(f.port, 'port'),
    ...httpTls(f),
    cgroupRoot: f.cgroupRoot,
    defaultUser: f.user,
    allowRoot: f.allowRoot === true,
    pidNamespace: f.pidNamespace === true,
    pidsLimit: num(f.pidsLimit, 'pids-limit'),
    killGraceSeconds: num(f.killGrace, 'kill-grace'),
    gcAgeSeconds: num(f.gcAge, 'gc-age'),
    fetcherCacheBytes: num(f.fetcherCacheMb, 'fetcher-cache-mb') * 1048576,
    usageIntervalSeconds: Math.max(0.1, num(f.usageInterval, 'usage-interval')),
    updateRetryMinSeconds: Math.max(0.01, num(f.statusUpdateRetryMin, 'status-update-retry-min')),
    updateRetryMaxSeconds: Math.max(0.01, num(f.statusUpdateRetryMax, 'status-update-retry-max')),
  });
}

/** The Kubernetes mode's access control for the agent's own HTTP port. */
async function agentKubeAccess(
  kubeconfig: string | undefined,
  metrics: MetricsRegistry,
): Promise<AccessControl> {
  const k8s = await import('@kubernetes/client-node');
  const { kubeAccessControl } = await import('../auth/kube-access.js');
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  return kubeAccessControl(kc, { clock: new SystemClock(), metrics, agentIdentities: [] });
}

/** The agent's client for its tasks' status; the policy knows the agent by its node. */
async function statusPatch(
  kubeconfig: string | undefined,
  nodeName: string,
): Promise<TaskStatusPatch> {
  if (!nodeName) throw new Error('--write-task-status needs --node-name (or $NODE_NAME)');
  const { taskStatusPatcher } = await import('../kube/task-status-patch.js');
  return taskStatusPatcher((kc) => {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromCluster();
  }, new SystemClock());
}

/** Runs an agent until SIGTERM/SIGINT; tasks keep running after it exits. */
export async function runAgent(f: AgentFlags): Promise<void> {
  const config = configFromFlags(f);
  const logger = createLogger({
    ...(f.logLevel ? { level: f.logLevel } : {}),
    defaultMeta: { component: 'agent' },
  });
  const inCluster = process.env.KUBERNETES_SERVICE_HOST !== undefined;
  const wantLabels = f.nodeLabels ?? (inCluster || f.kubeconfig !== undefined);
  if (wantLabels && config.nodeName) {
    try {
      const node = await readNode(config.nodeName, f.kubeconfig);
      config.attributes = mergeAttributes(node.attributes, config.attributes);
      // Without --resources, the node's allocatable (not the host's) minus the reserve.
      if (!f.resources && node.allocatable) {
        config.resources = capacityResources(
          node.allocatable.cpus,
          node.allocatable.memMiB,
          num(f.reserveCpus, 'reserve-cpus'),
          num(f.reserveMem, 'reserve-mem'),
        );
        logger.info("resources from the node's allocatable capacity", {
          node: config.nodeName,
          cpus: node.allocatable.cpus,
          memMiB: node.allocatable.memMiB,
        });
      }
    } catch (err) {
      logger.warn('could not read the node labels; using --attributes only', {
        node: config.nodeName,
        err: describeError(err),
      });
    }
  }
  const version = f.cgroupVersion === '2' ? 2 : f.cgroupVersion === '1' ? 1 : undefined;
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  installProcessGuards({ logger, metrics, component: 'agent' });
  const agent = new Agent(config, {
    logger,
    metrics,
    ...(f.kubeAuth ? { access: await agentKubeAccess(f.kubeconfig, metrics) } : {}),
    ...(f.writeTaskStatus ? { statusPatch: await statusPatch(f.kubeconfig, config.nodeName) } : {}),
    ...(version ? { cgroupVersion: version } : {}),
  });
  await agent.start();
  // Machine-readable line for supervisors and tests.
  process.stdout.write(
    `${JSON.stringify({ event: 'agent-started', port: agent.port, agentId: agent.id })}\n`,
  );
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve();
    };
    process.on('SIGTERM', done);
    process.on('SIGINT', done);
  });
  await agent.stop();
}
