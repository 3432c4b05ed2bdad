/**
 * Where the CLI finds the controller: `--server URL` (HTTP) and `--grpc host:port` when
 * given; with `--kubeconfig`, the leader's addresses from the leader-election Lease that
 * every controller replica competes for (as kubectl finds the apiserver from a kubeconfig);
 * otherwise a local `mezzo dev` on 127.0.0.1:5050/5051.
 */
import type * as k8s from '@kubernetes/client-node';
import type { Command } from 'commander';
import { LEADER_ADDRESS_ANNOTATION, LEADER_HTTP_ANNOTATION } from '../../kube/lease-annotations.js';

/** The options {@link controllerOptions} adds. */
export interface EndpointOptions {
  server?: string;
  grpc?: string;
  kubeconfig?: string;
  controllerNamespace: string;
  lease: string;
}

/** The controller's HTTP base URL and gRPC address. */
export interface Endpoints {
  http: string;
  grpc: string;
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
    );
  if (grpc) cmd.option('--grpc <addr>', `controller gRPC address (default: ${DEV_ENDPOINTS.grpc})`);
  return cmd;
}

/** Resolves the controller's addresses from the options. */
export async function resolveEndpoints(o: EndpointOptions): Promise<Endpoints> {
  if (o.server || !o.kubeconfig) {
    return { http: o.server ?? DEV_ENDPOINTS.http, grpc: o.grpc ?? DEV_ENDPOINTS.grpc };
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
  return { http: `http://${http}`, grpc: o.grpc ?? grpcAddr };
}
