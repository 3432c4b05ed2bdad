/**
 * Building what a framework sends in ACCEPT: a TaskInfo for a command (shell string or
 * argv) with the resources an {@link OfferMatcher} took, and LAUNCH operations. Ports are
 * exported to the task as PORT0, PORT1, … (and PORT, PORTS) as Marathon does, so a shell
 * command can say `--port $PORT0`.
 */
import type { HealthCheck } from '../gen/mezzo/v1/HealthCheck.js';
import type { Operation } from '../gen/mezzo/v1/Operation.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';
import type { TaskInfo } from '../gen/mezzo/v1/TaskInfo.js';

/** A file fetched into the sandbox before the task starts. */
export interface FetchUri {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  outputFile?: string;
}

/** A health check in the CRDs' camelCase form. */
export interface HealthCheckSpec {
  type: 'COMMAND' | 'HTTP' | 'TCP';
  command?: string;
  path?: string;
  /** Index into the task's ports (HTTP/TCP), unless `port` names a fixed one. */
  portIndex?: number;
  port?: number;
  gracePeriodSeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  consecutiveFailures?: number;
  killWhenUnhealthy?: boolean;
}

/** Everything {@link commandTask} needs. */
export interface CommandTaskSpec {
  taskId: string;
  name: string;
  agentId: string;
  /** The resources to launch with (a {@link Fit}'s `resources`). */
  resources: Resource[];
  /** Host ports assigned (a {@link Fit}'s `ports`), exported as PORT0… */
  ports?: readonly number[];
  /** A shell command string, or argv (program first) run without a shell. */
  command: string | readonly string[];
  env?: Readonly<Record<string, string>>;
  user?: string;
  uris?: readonly FetchUri[];
  healthCheck?: HealthCheckSpec;
  killGracePeriodSeconds?: number;
  labels?: Readonly<Record<string, string>>;
}

/** PORT0…PORTn, PORT (the first) and PORTS (comma-separated), as Marathon sets them. */
export function portEnvironment(ports: readonly number[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, p] of ports.entries()) env[`PORT${i}`] = String(p);
  if (ports.length > 0) {
    env.PORT = String(ports[0]);
    env.PORTS = ports.join(',');
  }
  return env;
}

/** The wire health check, with Mesos' defaults for what the spec leaves out. */
export function healthCheckInfo(hc: HealthCheckSpec, ports: readonly number[]): HealthCheck {
  return {
    type: hc.type,
    command: hc.command ?? '',
    path: hc.path ?? '/',
    port: hc.port ?? (hc.portIndex !== undefined ? (ports[hc.portIndex] ?? 0) : 0),
    port_index: hc.portIndex ?? 0,
    grace_period_seconds: hc.gracePeriodSeconds ?? 10,
    interval_seconds: hc.intervalSeconds ?? 10,
    timeout_seconds: hc.timeoutSeconds ?? 5,
    consecutive_failures: hc.consecutiveFailures ?? 3,
    kill_when_unhealthy: hc.killWhenUnhealthy ?? false,
  };
}

/** A TaskInfo that runs a command. */
export function commandTask(t: CommandTaskSpec): TaskInfo {
  const argv = typeof t.command === 'string' ? undefined : t.command;
  return {
    task_id: t.taskId,
    name: t.name,
    agent_id: t.agentId,
    resources: t.resources,
    command: {
      ...(argv
        ? { shell: false, value: argv[0] ?? '', arguments: argv.slice(1) }
        : { shell: true, value: typeof t.command === 'string' ? t.command : '' }),
      environment: { ...portEnvironment(t.ports ?? []), ...(t.env ?? {}) },
      user: t.user ?? '',
      uris: (t.uris ?? []).map((u) => ({
        value: u.value,
        executable: u.executable ?? false,
        extract: u.extract ?? false,
        cache: u.cache ?? false,
        output_file: u.outputFile ?? '',
      })),
    },
    ...(t.healthCheck ? { health_check: healthCheckInfo(t.healthCheck, t.ports ?? []) } : {}),
    kill_grace_period_seconds: t.killGracePeriodSeconds ?? 3,
    labels: { ...(t.labels ?? {}) },
  };
}

/** One LAUNCH operation for tasks placed on the same offer. */
export function launch(...tasks: TaskInfo[]): Operation {
  return { type: 'LAUNCH', tasks };
}
