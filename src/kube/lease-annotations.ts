/**
 * Annotations the leading controller keeps on its leader-election Lease, so that
 * standbys, agents and the `mezzo` CLI can tell where the leader serves. A module of its
 * own so that readers need not load the Kubernetes client to know the names.
 */

/** The leader's gRPC address (host:port): the scheduler and agent APIs. */
export const LEADER_ADDRESS_ANNOTATION = 'mezzo.dev/leader-address';

/** The leader's HTTP API (host:port), for the `mezzo` CLI. */
export const LEADER_HTTP_ANNOTATION = 'mezzo.dev/leader-http-address';
