/**
 * `mezzo sim-agents --controller host:port --count N`: simulated agents (src/sim/) for
 * trying a framework at scale without machines. Runs until SIGINT or SIGTERM; prints one
 * JSON line `{"registered":N}` once every agent has registered. docs/simulate-agents.md.
 */
import type { Command } from 'commander';
import { parseQuantity } from '../../allocator/index.js';
import { parseAttributes } from '../../agent-sidecar/config.js';
import { ValidationError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import { startSimAgents } from '../../sim/index.js';
import type { SimAgentsOptions } from '../../sim/index.js';

interface SimAgentsFlags {
  controller: string[];
  count: string;
  cpus: string;
  mem: string;
  disk: string;
  ports: string;
  zones: string;
  prefix: string;
  attributes?: string;
  defaultDuration: string;
  agentsPerChannel: string;
  tokenFile?: string;
  controllerCa?: string;
  logLevel: string;
  writeTaskStatus?: boolean;
  kubeconfig?: string;
  nodeTokens?: string;
}

/** A byte quantity (`8Gi`, `512Mi`, or MiB as a plain number) in MiB. */
function mib(name: 'mem' | 'disk', text: string): number {
  // A bare number is MiB, as everywhere in Mezzo's flags; a quantity is read as Kubernetes reads it.
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  return parseQuantity(name, value, `--${name}`) / 1000;
}

function number(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new ValidationError(flag, `"${text}" is not a number`);
  return n;
}

/** The library options for the flags; a bad flag is a ValidationError naming it. */
export function simOptionsFromFlags(f: SimAgentsFlags): SimAgentsOptions {
  const ports = /^(\d+)-(\d+)$/.exec(f.ports.trim());
  if (!ports) throw new ValidationError('--ports', `"${f.ports}" is not a range like 31000-32000`);
  const attributes: Record<string, string> = {};
  for (const a of parseAttributes(f.attributes ?? '')) attributes[a.name ?? ''] = a.text ?? '';
  return {
    controller: f.controller,
    count: number(f.count, '--count'),
    cpus: number(f.cpus, '--cpus'),
    memMiB: mib('mem', f.mem),
    diskMiB: mib('disk', f.disk),
    ports: { begin: Number(ports[1]), end: Number(ports[2]) },
    zones: number(f.zones, '--zones'),
    prefix: f.prefix,
    attributes,
    defaultDurationSeconds:
      f.defaultDuration === 'forever' ? 'forever' : number(f.defaultDuration, '--default-duration'),
    agentsPerChannel: number(f.agentsPerChannel, '--agents-per-channel'),
    ...(f.tokenFile ? { tokenFile: f.tokenFile } : {}),
    ...(f.controllerCa ? { controllerCaFile: f.controllerCa } : {}),
    ...(f.writeTaskStatus ? { statusWrites: statusWritesFrom(f) } : {}),
  };
}

/** `--write-task-status` needs both the apiserver and the agents' tokens. */
function statusWritesFrom(f: SimAgentsFlags): { kubeconfig: string; nodeTokensFile: string } {
  if (!f.kubeconfig) throw new ValidationError('--kubeconfig', 'is needed by --write-task-status');
  if (!f.nodeTokens) throw new ValidationError('--node-tokens', 'is needed by --write-task-status');
  return { kubeconfig: f.kubeconfig, nodeTokensFile: f.nodeTokens };
}

async function runSimAgents(f: SimAgentsFlags): Promise<void> {
  const logger = createLogger({
    level: f.logLevel,
    stderr: true,
    defaultMeta: { component: 'sim' },
  });
  const sim = await startSimAgents({ ...simOptionsFromFlags(f), logger });
  let stopping = false;
  // Every agent timer is unref'd and a channel between connections holds nothing open:
  // without this, a controller restart would leave the process with nothing to wait for.
  const keepAlive = setInterval(() => undefined, 60_000);
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      stopping = true;
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  void sim.allRegistered().then(() => {
    if (!stopping) process.stdout.write(`${JSON.stringify({ registered: sim.agents.length })}\n`);
  });
  await stopped;
  await sim.close();
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `sim-agents` to the program. */
export function registerSimAgents(program: Command): void {
  program
    .command('sim-agents')
    .description('run many simulated agents (tasks without processes) against a controller')
    .requiredOption(
      '--controller <host:port>',
      "the controller's gRPC address (repeat for replicas)",
      collect,
      [],
    )
    .option('--count <n>', 'how many agents', '100')
    .option('--cpus <n>', "each agent's cpus", '4')
    .option('--mem <quantity>', "each agent's memory (8Gi, or MiB)", '8Gi')
    .option('--disk <quantity>', "each agent's disk (100Gi, or MiB)", '100Gi')
    .option('--ports <range>', "each agent's port range", '31000-32000')
    .option('--zones <n>', 'the zone attribute is dealt over zones a, b, c… (0: none)', '3')
    .option('--prefix <name>', 'hostnames are <prefix>-1 … <prefix>-N', 'sim')
    .option('--attributes <text>', 'further attributes, e.g. rack:r1;os:linux')
    .option(
      '--default-duration <seconds>',
      'run time of a task without the sim.mezzo.dev/duration label (or "forever")',
      '0',
    )
    .option('--agents-per-channel <n>', 'agents sharing one gRPC connection', '1000')
    .option(
      '--token-file <file>',
      'the bearer token (default: $MEZZO_TOKEN, or as the CLI finds it)',
    )
    .option('--controller-ca <file>', "CA (PEM) verifying the controller's TLS certificate")
    .option('--log-level <level>', 'error | warn | info | debug (to stderr)', 'error')
    .option(
      '--write-task-status',
      "each agent writes its tasks' RUNNING status to the apiserver itself, as agent --write-task-status does",
    )
    .option('--kubeconfig <file>', 'the apiserver and its CA, for --write-task-status')
    .option(
      '--node-tokens <file>',
      'JSON object of hostname → token bound to a pod on that node, for --write-task-status',
    )
    .action(async (f: SimAgentsFlags) => {
      await runSimAgents(f);
    });
}
