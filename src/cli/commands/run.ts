/**
 * `mezzo run --cpus 0.5 --mem 64 -- CMD...`: like mesos-execute. A throwaway framework
 * subscribes, launches the command on the first offer that fits, streams its output,
 * prints its final state and exits with the task's exit code; then it tears itself down.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { bearer, findToken } from '../../auth/client-token.js';
import { SchedulerClient } from '../../sdk/scheduler-client.js';
import { OfferMatcher } from '../../sdk/offers.js';
import { commandTask, launch } from '../../sdk/tasks.js';
import { controllerOptions, resolveEndpoints, type EndpointOptions } from './endpoint.js';
import { controllerFetch } from './http-client.js';

interface RunOptions extends EndpointOptions {
  cpus: string;
  mem: string;
  role: string;
  name: string;
}

const TERMINAL = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_LOST',
  'TASK_GONE',
]);

async function runTask(argv: string[], o: RunOptions): Promise<number> {
  const endpoints = await resolveEndpoints(o);
  const cpus = Number(o.cpus);
  const mem = Number(o.mem);
  if (!(cpus > 0) || !(mem > 0))
    throw new Error('--cpus and --mem must be numbers greater than zero (mem in MiB)');
  if (argv.length === 0) throw new Error('no command: mezzo run [options] -- CMD [ARGS...]');
  const taskId = `${o.name}-${randomUUID().slice(0, 8)}`;
  const fw = new SchedulerClient({
    address: endpoints.grpc,
    ...(endpoints.tls ? { ca: endpoints.tls.ca, serverName: endpoints.tls.serverName } : {}),
    reconnect: false,
    framework: {
      name: `mezzo-run:${o.name}`,
      user: 'nobody',
      roles: [o.role],
      failover_timeout_seconds: 0,
    },
  });
  let launched = false;
  let offset = 0;
  const pump = async () => {
    const token = await findToken({ address: endpoints.http }).catch(() => undefined);
    const r = await controllerFetch(
      `${endpoints.http}/logs?task=${encodeURIComponent(taskId)}&file=stdout&offset=${offset}`,
      token ? { headers: { authorization: bearer(token) } } : {},
      endpoints.tls,
    ).catch(() => undefined);
    if (!r?.ok) return;
    const body = (await r.json()) as { data?: string };
    const chunk = body.data ?? '';
    process.stdout.write(chunk);
    offset += Buffer.byteLength(chunk);
  };
  const done = new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    fw.on('update', (s) => {
      if (s.task_id !== taskId) return;
      process.stderr.write(`${taskId}: ${s.state}${s.message ? ` (${s.message})` : ''}\n`);
      if (s.state === 'TASK_RUNNING' && !timer) {
        timer = setInterval(() => {
          pump().catch(() => undefined);
        }, 300);
      }
      if (TERMINAL.has(s.state)) {
        if (timer) clearInterval(timer);
        pump()
          .catch(() => undefined)
          .finally(() => {
            const exit = s.exit === 'exit_code' ? (s.exit_code ?? 0) : 0;
            resolve(s.state === 'TASK_FINISHED' ? 0 : exit > 0 ? exit : 1);
          });
      }
    });
  });
  fw.on('offers', (offers) => {
    for (const offer of offers) {
      const fit = launched ? undefined : new OfferMatcher(offer).take({ cpus, mem });
      if (fit?.ok) {
        launched = true;
        const task = commandTask({
          taskId,
          name: o.name,
          agentId: offer.agent_id,
          resources: fit.resources,
          command: argv,
        });
        fw.accept([offer.id], [launch(task)], 60).catch((err: unknown) => {
          process.stderr.write(
            `launch refused: ${err instanceof Error ? err.message : String(err)}\n`,
          );
          process.exit(1);
        });
      } else {
        fw.decline([offer.id], 60).catch(() => undefined);
      }
    }
  });
  await fw.start();
  const code = await done;
  await fw.teardown().catch(() => undefined);
  fw.close();
  return code;
}

/** Adds `run` to the program. */
export function registerRun(program: Command): void {
  controllerOptions(program.command('run'), true)
    .description(
      'run one command as a task and stream its output (like mesos-execute); exits with its code',
    )
    .requiredOption('--cpus <n>', 'cores')
    .requiredOption('--mem <mib>', 'memory in MiB')
    .option('--role <role>', 'role to run under', 'default')
    .option('--name <name>', 'task name', 'run')
    .argument('<command...>', 'command and arguments (after --)')
    .action(async (argv: string[], o: RunOptions) => {
      process.exitCode = await runTask(argv, o);
    });
}
