/**
 * The scale bench's controller, in its own process so that its CPU and memory are its
 * own: an embedded store under `--work-dir`, dev-style access for `$MEZZO_TOKEN`, fixed
 * ports (a restart takes the same ones back), no built-in frameworks, `--max-offers=K`
 * offers per framework per allocation pass (0: no bound), `--offer-allowance=adaptive|off`
 * (default adaptive, the controller's), `--offer-timeout-ms=N` (default
 * 30,000, the controller's), `--log-level=L` (default error, to stderr). Prints one JSON line
 * `{"grpc":…,"http":…}` once serving; stops on SIGTERM.
 */
import { join } from 'node:path';
import { devAccess } from '../../../src/auth/access-from-flags.js';
import { Controller } from '../../../src/controller/controller.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';

function arg(name: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  if (!a) throw new Error(`--${name}= is required`);
  return a.slice(name.length + 3);
}

function optional(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a?.slice(name.length + 3);
}

const token = process.env.MEZZO_TOKEN ?? '';
const clock = new SystemClock();
const store = new EmbeddedStore(join(arg('work-dir'), 'state.json'), clock);
const pingMs = Number(arg('ping-interval-ms'));
const controller = new Controller({
  clock,
  logger: createLogger({ level: optional('log-level') ?? 'error', stderr: true }),
  metrics: new MetricsRegistry(),
  store,
  access: devAccess(token),
  host: '127.0.0.1',
  grpcPort: Number(arg('grpc-port')),
  httpPort: Number(arg('http-port')),
  agentPingIntervalMs: pingMs,
  // Mesos' defaults: 15 s pings, unreachable after 5 missed.
  agentPingTimeoutMs: 5 * pingMs,
  maxCompletedTasksPerFramework: 100,
  maxOffersPerFrameworkPerPass: Number(arg('max-offers')),
  adaptiveOffers: (optional('offer-allowance') ?? 'adaptive') === 'adaptive',
  offerTimeoutMs: Number(optional('offer-timeout-ms') ?? '30000'),
});
await controller.start();
process.stdout.write(
  `${JSON.stringify({ grpc: controller.grpcAddress, http: controller.httpPort })}\n`,
);
process.once('SIGTERM', () => {
  const t0 = Date.now();
  // How long each part of a stop takes, for the bench's log.
  const phase = (what: string) =>
    process.stderr.write(`# controller: ${what} ${String(Date.now() - t0)} ms after SIGTERM\n`);
  void controller
    .stop()
    .then(() => phase('stopped'))
    .then(() => store.close())
    .then(() => phase('store closed'))
    .then(() => process.exit(0));
});
