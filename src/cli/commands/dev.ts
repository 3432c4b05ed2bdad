/**
 * `mezzo dev`: the embedded one-machine Mezzo — controller, one local agent and the
 * default framework in one process, state in an embedded store under --work-dir, HTTP
 * (state, metrics, health) on 127.0.0.1:5050 and gRPC on the next port, as Mesos'
 * master listens on 5050. `--demo` applies examples/demo.yaml so offers and running
 * tasks show within seconds.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { accessFromFlags } from '../../auth/access-from-flags.js';
import { registerDevServer } from '../../auth/client-token.js';
import { writeDevToken } from '../../auth/token.js';
import { Controller } from '../../controller/controller.js';
import { maxCompletedTasksOption } from './controller.js';
import { applyObject } from '../../controller/apply.js';
import { EmbeddedStore } from '../../store/embedded.js';
import { startBuiltinFrameworks } from '../../frameworks/builtin.js';
import { parseAgentCount, startDevAgents } from './dev-agents.js';
import { SystemClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { installProcessGuards } from '../../shared/process-guards.js';

interface DevOptions {
  port: string;
  grpcPort?: string;
  workDir: string;
  demo?: boolean;
  resources?: string;
  agents: string;
  host: string;
  cgroupRoot: string;
  maxCompletedTasksPerFramework: number;
  staticTokens?: string;
  authzPolicy?: string;
}

/** The address a client on this machine dials for a listen address. */
function localAddress(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The demo workload shipped in examples/. */
export function demoFile(): string {
  return fileURLToPath(new URL('../../../../examples/demo.yaml', import.meta.url));
}

/** Parses a multi-document YAML file into objects. */
export function readObjects(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as unknown)
    .filter((o) => o !== null);
}

async function runDev(o: DevOptions): Promise<void> {
  // Checked before anything starts: a bad count must not leave a controller serving.
  const agentCount = parseAgentCount(o.agents);
  const root = createLogger();
  const logger = root.child({ component: 'dev' });
  const clock = new SystemClock();
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  // Controller and agent share this process: a rejection nobody awaited is logged and
  // counted, not fatal; an uncaught exception exits (see process-guards.ts).
  installProcessGuards({ logger, metrics, component: 'dev' });
  const workDir = resolve(o.workDir);
  const httpPort = Number(o.port);
  const grpcPort = o.grpcPort ? Number(o.grpcPort) : httpPort + 1;
  const store = new EmbeddedStore(join(workDir, 'state.json'), clock);
  // A new token each run; its holder is the administrator (see docs/security.md).
  await mkdir(workDir, { recursive: true });
  const { token, file: tokenFile } = await writeDevToken(workDir);
  const access = await accessFromFlags({
    tokenFile,
    ...(o.staticTokens ? { staticTokens: o.staticTokens } : {}),
    ...(o.authzPolicy ? { authzPolicy: o.authzPolicy } : {}),
  });
  const controller = new Controller({
    clock,
    logger: root.child({ component: 'controller' }),
    metrics,
    store,
    access,
    host: o.host,
    grpcPort,
    httpPort,
    maxCompletedTasksPerFramework: o.maxCompletedTasksPerFramework,
  });
  await controller.start();
  const isRoot = process.getuid?.() === 0;
  logger.info(
    isRoot
      ? 'agent runs tasks in real cgroups (running as root)'
      : 'agent runs tasks as plain processes: not root, so no cgroup limits are enforced',
  );
  const agents = await startDevAgents({
    count: agentCount,
    workDir,
    controller: controller.grpcAddress,
    tokenFile,
    cgroupRoot: o.cgroupRoot,
    ...(o.resources ? { resources: o.resources } : {}),
    logger: root.child({ component: 'agent' }),
    access,
  });
  const stopFrameworks = await startBuiltinFrameworks({
    address: controller.grpcAddress,
    token,
    store,
    logger: root,
    clock,
    namespace: 'default',
    recordEvent: (target, type, reason, message) => {
      root.log(type === 'Warning' ? 'warn' : 'info', message, { event: reason, object: target });
    },
  });
  // The CLI and SDK on this machine find the token by the address they call.
  const local = localAddress(o.host);
  const unregister = await registerDevServer(
    [
      `${local}:${controller.httpPort}`,
      `${local}:${controller.grpcAddress.split(':').pop() ?? ''}`,
    ],
    tokenFile,
  );
  process.stdout.write(
    [
      'mezzo dev is running',
      `  dashboard: http://${local}:${controller.httpPort}/#token=${token}`,
      `  HTTP (state, metrics, health): http://${local}:${controller.httpPort}/ (see /state, /metrics)`,
      `  gRPC (scheduler and agent APIs): ${controller.grpcAddress}`,
      `  token (Authorization: Bearer): ${tokenFile}`,
      `  work dir: ${workDir}`,
      '',
    ].join('\n'),
  );
  if (o.demo) {
    for (const obj of readObjects(demoFile())) {
      const r = await applyObject(store, obj);
      logger.info(`demo: ${r.object} ${r.ok ? (r.action ?? '') : `rejected: ${r.error ?? ''}`}`);
    }
  }
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  logger.info('stopping (tasks keep running; a restart re-attaches to them)');
  stopFrameworks();
  for (const agent of agents) await agent.stop();
  await controller.stop();
  await store.close();
  await unregister();
}

/** Adds `dev` to the program. */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run controller, one agent and the default framework on this machine')
    .option('--demo', 'also apply the demo workload (examples/demo.yaml)')
    .option('--port <port>', 'HTTP port (state, metrics, health); gRPC uses the next one', '5050')
    .option('--grpc-port <port>', 'gRPC port (default: --port + 1)')
    .option('--host <host>', 'address to listen on (every call needs the token)', '127.0.0.1')
    .option(
      '--static-tokens <file>',
      'identities besides the token holder, one a line: token,user,uid,"group1,group2"',
    )
    .option('--authz-policy <file>', 'YAML rules granting those identities rights')
    .option('--work-dir <dir>', 'where state and sandboxes live', '.mezzo')
    .option(
      '--cgroup-root <name>',
      'cgroup (under each controller) the local agent puts tasks in',
      'mezzo-dev',
    )
    .addOption(maxCompletedTasksOption())
    .option(
      '--resources <text>',
      "the local agent's resources, e.g. 'cpus:2;mem:2048;ports:[31000-32000]' (each agent's)",
    )
    .option(
      '--agents <n>',
      'local agents (hostnames <host>-1…N, zones a, b, c, the machine split among them)',
      '1',
    )
    .action(async (o: DevOptions) => {
      await runDev(o);
    });
}
