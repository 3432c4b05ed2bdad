/**
 * API clients that keep their connections to the apiserver. `KubeConfig.makeApiClient`
 * builds a new https.Agent for every request (keep-alive off), so every request paid a
 * TCP connect, a full TLS handshake and a fresh secure context (parsing the client key):
 * profiled under the task-path bench, TLS set-up took about a third of the controller
 * process's time. Here the kubeconfig still authenticates every request (headers, tokens
 * that rotate), and requests share one keep-alive agent per set of TLS credentials, in
 * the whole process: clients that differ only in their bearer token (a process of
 * simulated agents, each with its own node's token; the controller's clients, each with
 * its own rate limit) share connections, as KWOK's nodes share one client's.
 */
import https from 'node:https';
import tls from 'node:tls';
import * as k8s from '@kubernetes/client-node';

/** The TLS settings that make two agents interchangeable. */
function credentials(o: https.AgentOptions): unknown[] {
  return [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername];
}

// Equal strings, buffers (by content: the kubeconfig reads its files again per request),
// or lists of those.
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => same(v, b[i]));
  return false;
}

function sameCredentials(a: https.AgentOptions, b: https.AgentOptions): boolean {
  const y = credentials(b);
  return credentials(a).every((v, i) => same(v, y[i]));
}

/**
 * A keep-alive agent for `options`, its CA, certificate and key in one TLS context made
 * here: given as options, Node parsed them into a new context for every connection (the
 * key included), and put them, as text, into the pool key it builds for every request.
 */
function agentFor(options: https.AgentOptions): https.Agent {
  const { ca, cert, key, pfx, passphrase, ...rest } = options;
  const secureContext = tls.createSecureContext({ ca, cert, key, pfx, passphrase });
  return new https.Agent({ ...rest, secureContext, keepAlive: true });
}

/** Credential sets whose agents are kept for sharing; the least recently used goes first. */
const MAX_SHARED = 16;
const shared: { agent: https.Agent; credentials: https.AgentOptions }[] = [];

/**
 * The process's keep-alive agent for these TLS credentials. One dropped from the list is
 * not destroyed: requests in flight on it finish, and its idle sockets are unreferenced.
 */
function sharedAgent(options: https.AgentOptions): {
  agent: https.Agent;
  credentials: https.AgentOptions;
} {
  const i = shared.findIndex((e) => sameCredentials(e.credentials, options));
  const entry = i >= 0 ? shared.splice(i, 1)[0] : undefined;
  const found = entry ?? { agent: agentFor(options), credentials: options };
  shared.push(found);
  if (shared.length > MAX_SHARED) shared.shift();
  return found;
}

/**
 * Authenticates like `kc` and hands every request the process's keep-alive agent for the
 * TLS credentials `kc` asks for (another when they change). Proxy and plain-HTTP agents
 * are left as `kc` makes them.
 */
export class PooledAuthentication implements k8s.SecurityAuthentication {
  /** The shared agent, and the kubeconfig's TLS options it was made from. */
  private pooled: { agent: https.Agent; credentials: https.AgentOptions } | undefined;

  constructor(private readonly kc: k8s.KubeConfig) {}

  /** Its name, as the generated client asks. */
  getName(): string {
    return 'mezzo-pooled-kubeconfig';
  }

  /** Applies the kubeconfig's authentication, then the shared agent. */
  async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!fresh || fresh.constructor !== https.Agent) return;
    const options = fresh.options;
    // New credentials (a rotated certificate): the agent for those.
    if (!this.pooled || !sameCredentials(this.pooled.credentials, options))
      this.pooled = sharedAgent(options);
    context.setAgent(this.pooled.agent);
  }
}

/** `kc.makeApiClient(api)`, with its connections kept (see {@link PooledAuthentication}). */
export function pooledApiClient<T>(
  kc: k8s.KubeConfig,
  api: new (config: k8s.Configuration) => T,
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  return new api(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: new PooledAuthentication(kc) },
    }),
  );
}
