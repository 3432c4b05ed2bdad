/**
 * Annotations the leading controller keeps on its leader-election Lease, so that
 * standbys, agents and the `mezzo` CLI can tell where the leader serves. A module of its
 * own so that readers need not load the Kubernetes client to know the names.
 */

/** The leader's gRPC address (host:port): the scheduler and agent APIs. */
export const LEADER_ADDRESS_ANNOTATION = 'mezzo.dev/leader-address';

/** The leader's HTTP API (host:port), for the `mezzo` CLI. */
export const LEADER_HTTP_ANNOTATION = 'mezzo.dev/leader-http-address';

/**
 * `https` when the leader serves its HTTP API over TLS (absent: plain HTTP), so that the
 * CLI knows to verify it with the CA it is given.
 */
export const LEADER_HTTP_SCHEME_ANNOTATION = 'mezzo.dev/leader-http-scheme';
