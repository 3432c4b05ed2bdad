/**
 * Clients of the chart's controller on the e2e node, as a user outside the cluster meets
 * them: the chart's CA read from the Secret the chart made, ServiceAccount tokens from
 * `kubectl create token`, the leader's pod address from the Lease, and HTTPS calls that
 * verify the controller against that CA under the Service's name.
 */
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ControlPlane } from '../support/control-plane.js';
import { componentPods, eventually, getJson } from './support.js';

/** The chart's release, namespace and the names derived from them. */
export const RELEASE = {
  ns: 'mezzo-system',
  lease: 'mezzo-controller',
  /** The controllers' Deployment. */
  deployment: 'mezzo-controller',
  tlsSecret: 'mezzo-tls',
  /** The name in the controller's certificate. */
  controllerName: 'mezzo-controller.mezzo-system.svc',
  /** The name in the agents' certificate. */
  agentName: 'mezzo-agent',
};

/** The chart's CA (PEM) as the Secret holds it now. */
export async function chartCa(cp: ControlPlane): Promise<Buffer> {
  const s = await getJson<{ data: Record<string, string> }>(cp, [
    'secret',
    RELEASE.tlsSecret,
    '-n',
    RELEASE.ns,
  ]);
  const ca = s.data['ca.crt'];
  if (!ca) throw new Error(`secret ${RELEASE.tlsSecret} has no ca.crt`);
  return Buffer.from(ca, 'base64');
}

/** The Lease's holder and the leader's HTTP and gRPC addresses (pod IP:port). */
export async function leader(
  cp: ControlPlane,
): Promise<{ holder: string; http: string; grpc: string }> {
  const lease = await getJson<{
    metadata: { annotations?: Record<string, string> };
    spec: { holderIdentity?: string };
  }>(cp, ['lease', RELEASE.lease, '-n', RELEASE.ns]);
  return {
    holder: lease.spec.holderIdentity ?? '',
    http: lease.metadata.annotations?.['mezzo.dev/leader-http-address'] ?? '',
    grpc: lease.metadata.annotations?.['mezzo.dev/leader-address'] ?? '',
  };
}

/**
 * The leader once it can be used: the Lease names a controller pod that exists now and
 * not one a rollout or delete just removed (its annotations keep the old pod's address
 * until the new holder writes them), and that address answers /readyz over TLS as the leader.
 */
export async function servingLeader(
  cp: ControlPlane,
  ca: Buffer,
  timeoutMs = 120_000,
): Promise<{ holder: string; http: string; grpc: string }> {
  return eventually(
    async () => {
      const now = await leader(cp);
      const pods = await componentPods(cp, RELEASE.ns, 'controller');
      const current = pods.some(
        (p) => now.holder.includes(p.metadata.name) && p.metadata.deletionTimestamp === undefined,
      );
      if (!current || now.http === '') return undefined;
      // A standby answers /readyz with 200 too, but says so in the body.
      const r = await httpsGet(now.http, '/readyz', {
        ca,
        serverName: RELEASE.controllerName,
      }).catch(() => undefined);
      return r?.status === 200 && r.body.trim() === 'ready' ? now : undefined;
    },
    timeoutMs,
    'a leader on a current controller pod, serving',
  );
}

/** A ServiceAccount in `ns` (created when missing) and a token for it. */
export async function serviceAccountToken(
  cp: ControlPlane,
  ns: string,
  name: string,
): Promise<string> {
  await cp.kubectl(['create', 'serviceaccount', '-n', ns, name]).catch((err: unknown) => {
    if (!String(err).includes('AlreadyExists')) throw err;
  });
  return (await cp.kubectl(['create', 'token', '-n', ns, name, '--duration=2h'])).stdout.trim();
}

/** One HTTPS answer: status, body and the certificate the server presented. */
export interface TlsAnswer {
  status: number;
  body: string;
  peer: X509Certificate;
}

/**
 * One HTTPS request to `hostPort` that verifies the server against `ca` under
 * `serverName`; rejects on a verification failure (the error's `code` says which).
 */
export function httpsGet(
  hostPort: string,
  path: string,
  opts: { ca: Buffer; serverName: string; token?: string },
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${hostPort}${path}`,
      {
        ca: opts.ca,
        servername: opts.serverName,
        // A fresh handshake each time: a rotated certificate shows on the next request.
        agent: false,
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        // A pod that accepts and never answers must fail the probe, not stall the poll.
        timeout: 10_000,
      },
      (res) => {
        const peer = new X509Certificate((res.socket as TLSSocket).getPeerCertificate(false).raw);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${hostPort}${path} in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * What a failed controller scenario needs to be understood after the cluster is gone: the
 * Lease, each controller pod's state, and the tail of its log (and of its previous
 * container's, after a restart). Never rejects: it runs while a test is already failing.
 */
export async function controllerDiagnostics(cp: ControlPlane): Promise<string> {
  const lines: string[] = [];
  const grab = async (what: string, args: string[]): Promise<void> => {
    try {
      lines.push(`--- ${what}`, (await cp.kubectl(args)).stdout.trimEnd());
    } catch (err) {
      lines.push(`--- ${what}: ${String(err).slice(0, 300)}`);
    }
  };
  await grab('lease', ['get', 'lease', RELEASE.lease, '-n', RELEASE.ns, '-o', 'yaml']);
  await grab('pods', ['get', 'pods', '-n', RELEASE.ns, '-o', 'wide']);
  const pods = await componentPods(cp, RELEASE.ns, 'controller').catch(() => []);
  for (const p of pods) {
    const name = p.metadata.name;
    await grab(`log ${name}`, ['logs', '-n', RELEASE.ns, name, '--tail=60']);
    if ((p.status.containerStatuses?.[0]?.restartCount ?? 0) > 0) {
      await grab(`previous log ${name}`, [
        'logs',
        '-n',
        RELEASE.ns,
        name,
        '--previous',
        '--tail=60',
      ]);
    }
  }
  return lines.join('\n');
}
