/**
 * Where the CLI finds the controller: `--server URL` (HTTP) and `--grpc host:port` when
 * given; with `--kubeconfig`, the leader's addresses from the leader-election Lease that
 * every controller replica competes for (as kubectl finds the apiserver from a kubeconfig);
 * otherwise a local `mezzo dev` on 127.0.0.1:5050/5051. A controller serving TLS (the
 * chart's default) is verified against `--certificate-authority` (as kubectl verifies the
 * apiserver), under the name of the chart's controller Service.
 */
import { readFileSync } from 'node:fs';
import type * as k8s from '@kubernetes/client-node';
import type { Command } from 'commander';
import {
  LEADER_ADDRESS_ANNOTATION,
  LEADER_HTTP_ANNOTATION,
  LEADER_HTTP_SCHEME_ANNOTATION,
} from '../../kube/lease-annotations.js';

/** The options {@link controllerOptions} adds. */
export interface EndpointOptions {
  server?: string;
  grpc?: string;
  kubeconfig?: string;
  controllerNamespace: string;
  lease: string;
  certificateAuthority?: string;
  tlsServerName?: string;
}

/** How the CLI verifies a controller that serves TLS. */
export interface ClientTls {
  /** PEM of the CA the controller's certificate must chain to. */
  ca: Buffer;
  /** The name the certificate must carry (the address dialled is a pod IP). */
  serverName: string;
}

/** The controller's HTTP base URL and gRPC address, and how to verify it under TLS. */
export interface Endpoints {
  http: string;
  grpc: string;
  tls?: ClientTls;
}

/** The controller is served over TLS but the CLI was given no CA to verify it with. */
export class MissingCaError extends Error {
  override readonly name = 'MissingCaError';

  constructor(
    /** The Lease that said the leader serves TLS. */
    readonly lease: string,
    /** The namespace the controller runs in. */
    readonly namespace: string,
  ) {
    super(
      `the controller (Lease ${namespace}/${lease}) serves TLS: pass --certificate-authority <file> ` +
        `or set MEZZO_CA_FILE (the chart's CA: kubectl get secret -n ${namespace} <release>-tls ` +
        `-o jsonpath='{.data.ca\\.crt}' | base64 -d)`,
    );
  }
}

/** The local `mezzo dev` defaults. */
export const DEV_ENDPOINTS: Endpoints = { http: 'http://127.0.0.1:5050', grpc: '127.0.0.1:5051' };

/** Adds the options that pick a controller to a command. */
export function controllerOptions(cmd: Command, grpc = false): Command {
  cmd
    .option('--server <url>', `controller HTTP address (default: ${DEV_ENDPOINTS.http})`)
    .option(
      '--kubeconfig <file>',
      "find the Kubernetes-hosted controller's leader through this kubeconfig",
    )
    .option('--controller-namespace <ns>', 'namespace of the controller Lease', 'mezzo-system')
    .option(
      '--lease <name>',
      'Lease the controller replicas elect a leader with',
      'mezzo-controller',
    )
    .option(
      '--certificate-authority <file>',
      "CA that signed the controller's certificate (default: $MEZZO_CA_FILE); implies TLS",
    )
    .option(
      '--tls-server-name <name>',
      "name the controller's certificate carries (default: the --server host, or with " +
        "--kubeconfig the chart's Service <lease>.<namespace>.svc)",
    );
  if (grpc) cmd.option('--grpc <addr>', `controller gRPC address (default: ${DEV_ENDPOINTS.grpc})`);
  return cmd;
}

/** Resolves the controller's addresses from the options. */
export async function resolveEndpoints(o: EndpointOptions): Promise<Endpoints> {
  const caFile = o.certificateAuthority ?? process.env.MEZZO_CA_FILE;
  const ca = caFile ? readFileSync(caFile) : undefined;
  if (o.server || !o.kubeconfig) {
    const http = o.server ?? DEV_ENDPOINTS.http;
    const grpc = o.grpc ?? DEV_ENDPOINTS.grpc;
    if (!ca) return { http, grpc };
    const url = new URL(http);
    url.protocol = 'https:';
    return {
      http: url.origin,
      grpc,
      tls: { ca, serverName: o.tlsServerName ?? url.hostname },
    };
  }
  // Loaded here: the Kubernetes client costs a second of start-up the other paths skip.
  const { ApiException, CoordinationV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const api = kc.makeApiClient(CoordinationV1Api);
  let lease: k8s.V1Lease;
  try {
    lease = await api.readNamespacedLease({ name: o.lease, namespace: o.controllerNamespace });
  } catch (err) {
    const code = err instanceof ApiException ? err.code : undefined;
    throw new Error(
      code === 404
        ? `no Mezzo controller in namespace ${o.controllerNamespace}: Lease ${o.lease} not found (see --controller-namespace)`
        : `cannot read Lease ${o.controllerNamespace}/${o.lease}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const notes = lease.metadata?.annotations ?? {};
  const http = notes[LEADER_HTTP_ANNOTATION];
  const grpcAddr = notes[LEADER_ADDRESS_ANNOTATION];
  if (!lease.spec?.holderIdentity || !http || !grpcAddr) {
    throw new Error(
      `Lease ${o.controllerNamespace}/${o.lease} names no leader with an address yet; is a controller running?`,
    );
  }
  const grpc = o.grpc ?? grpcAddr;
  if (notes[LEADER_HTTP_SCHEME_ANNOTATION] !== 'https') return { http: `http://${http}`, grpc };
  if (!ca) throw new MissingCaError(o.lease, o.controllerNamespace);
  // The chart names its certificate after the controller Service, which the Lease shares.
  const serverName = o.tlsServerName ?? `${o.lease}.${o.controllerNamespace}.svc`;
  return { http: `https://${http}`, grpc, tls: { ca, serverName } };
}
