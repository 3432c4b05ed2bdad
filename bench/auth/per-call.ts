/**
 * The cost of authentication per HTTP call (issue 13): the same route served through the
 * shared HTTP layer and the guard, once public (no token, no checks) and once as the
 * Kubernetes mode checks it (a bearer token through KubeAuthenticator, the question through
 * KubeAuthorizer) with both caches warm: after the first call no TokenReview or
 * SubjectAccessReview is sent, which is the steady state of a busy caller (a token is
 * trusted 30 s, a grant 10 s). Calls go through fastify's `inject` (no sockets), so the
 * figures are the CPU the layers cost. Each mode runs `ROUNDS` (5) rounds of `CALLS`
 * (20,000) calls, alternating, after a warm-up; the median round is reported.
 * Prints one JSON object. Run: `npm run bench -- auth`.
 */
import { cpus, loadavg } from 'node:os';
import { installHttpGuard } from '../../src/auth/http-guard.js';
import { KubeAuthenticator } from '../../src/auth/kube-authenticator.js';
import { KubeAuthorizer } from '../../src/auth/kube-authorizer.js';
import { SystemClock } from '../../src/shared/clock.js';
import { createHttpApp } from '../../src/shared/http/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { MetricsRegistry } from '../../src/shared/metrics.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TOKEN = 'x'.repeat(900); // a ServiceAccount JWT is ~900 characters

async function main(): Promise<void> {
  const metrics = new MetricsRegistry();
  const clock = new SystemClock();
  let reviews = 0;
  const principal = {
    username: 'system:serviceaccount:team-a:batch',
    uid: 'u-1',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
    extra: {},
  };
  const access = {
    authenticator: new KubeAuthenticator({
      clock,
      metrics,
      review: () => {
        reviews++;
        return Promise.resolve({ kind: 'authenticated' as const, principal });
      },
    }),
    authorizer: new KubeAuthorizer({
      clock,
      metrics,
      review: () => {
        reviews++;
        return Promise.resolve({ allowed: true as const, cacheable: true });
      },
    }),
  };
  const app = createHttpApp({
    boundary: { logger: createLogger({ level: 'error' }), metrics, component: 'bench' },
  });
  // No rate limit in the way: the bench is one caller far above any real one.
  installHttpGuard(app, { access, metrics, rateLimit: { ratePerSecond: 1e12, burst: 1e12 } });
  app.get('/public', { config: { access: 'public' } }, () => ({ ok: true }));
  app.get('/guarded', () => ({ ok: true }));
  await app.ready();

  const run = async (url: string, auth: boolean): Promise<number> => {
    const headers = auth ? { authorization: `Bearer ${TOKEN}` } : {};
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) {
      const res = await app.inject({ method: 'GET', url, headers });
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body}`);
    }
    return Number(process.hrtime.bigint() - start) / 1000 / CALLS;
  };
  await run('/public', false);
  await run('/guarded', true);
  const pub: number[] = [];
  const guarded: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    pub.push(await run('/public', false));
    guarded.push(await run('/guarded', true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const unauth = median(pub);
  const auth = median(guarded);
  await app.close();
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'auth/per-call',
        calls_per_round: CALLS,
        rounds: ROUNDS,
        unauthenticated_us_per_call: Number(unauth.toFixed(2)),
        kube_auth_warm_cache_us_per_call: Number(auth.toFixed(2)),
        auth_cost_us_per_call: Number((auth - unauth).toFixed(2)),
        reviews_sent: reviews,
        rounds_us: {
          unauthenticated: pub.map((x) => Number(x.toFixed(2))),
          kube_auth: guarded.map((x) => Number(x.toFixed(2))),
        },
        host: {
          cpus: cpus().length,
          loadavg_1m: Number((loadavg()[0] ?? 0).toFixed(2)),
          node: process.version,
        },
      },
      null,
      2,
    )}\n`,
  );
}

await main();
