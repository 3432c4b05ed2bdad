/**
 * A real controller and one real agent on loopback for the compatibility adapters'
 * tests, stopped in reverse order by {@link Cluster.stop}.
 */
import type { ChildProcessByStdio, ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Controller } from '../../../src/controller/controller.js';
import { startAgent, startController, until } from '../controller/support.js';

/** A running controller with one agent. */
export interface Cluster {
  controller: Controller;
  /** The controller's HTTP API, e.g. `http://127.0.0.1:1234`. */
  http: string;
  /** Runs on stop, before the agent and controller stop (connections to close...). */
  onStop: (() => Promise<void> | void)[];
  stop(): Promise<void>;
}

/** Starts a controller and an agent with `resources`; resolves once the agent is registered. */
export async function startCluster(
  hostname: string,
  resources = 'cpus:2;mem:1024',
): Promise<Cluster> {
  const { controller } = await startController();
  const agent = await startAgent(controller.grpcAddress, resources, hostname);
  const cluster: Cluster = {
    controller,
    http: `http://127.0.0.1:${String(controller.httpPort)}`,
    onStop: [],
    async stop() {
      for (const c of cluster.onStop.reverse()) await c();
      await agent.stop();
      await controller.stop();
    },
  };
  await until(() => controller.core.agents.size === 1, 10_000, 'the agent');
  return cluster;
}

/** A Mesos ACCEPT call body launching one shell task from an offer (0.1 cpus, 32 MiB). */
export function launchCall(
  frameworkId: string,
  offer: { id: { value: string }; agent_id: { value: string } },
  taskId: string,
  command: { value: string; environment?: { variables: { name: string; value: string }[] } },
): object {
  return {
    type: 'ACCEPT',
    framework_id: { value: frameworkId },
    accept: {
      offer_ids: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: taskId,
                task_id: { value: taskId },
                agent_id: offer.agent_id,
                command,
                resources: [
                  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
                  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
                ],
              },
            ],
          },
        },
      ],
      filters: { refuse_seconds: 1 },
    },
  };
}

/** What a client program printed, one JSON object a line, and how it exited. */
export interface ClientRun<T> {
  code: number | null;
  lines: T[];
  stderr: string;
}

/**
 * Collects a client's stdout as JSON lines until it exits; a client still running after
 * `killAfterMs` is killed (its own timeouts end any one step first).
 */
export async function jsonLines<T>(
  child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>,
  killAfterMs: number,
): Promise<ClientRun<T>> {
  const lines: T[] = [];
  let out = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as T);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  try {
    return { code: await exited, lines, stderr };
  } finally {
    clearTimeout(guard);
  }
}
