/**
 * The flags of the Kubernetes mode, for `mezzo controller` (and the TLS ones for the
 * agent), and what they build: the access control (TokenReview, SubjectAccessReview,
 * agent identities), an in-process identity for the built-in frameworks, and the
 * certificate reloader the servers serve from.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { MetricsRegistry } from '../shared/metrics.js';
import { CertificateReloader } from '../shared/tls/certificate-reloader.js';
import { withInternalIdentity } from './internal-identity.js';
import { kubeAccessControl } from './kube-access.js';
import type { AccessControl } from './types.js';

/** The flags {@link kubeAccessOptions} adds. */
export interface KubeAccessFlags {
  kubeAuth?: boolean;
  agentIdentity?: string[];
  tokenAudience?: string[];
  tokenCacheTtl: number;
  accessCacheTtl: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  tlsReload: number;
}

const list = (v: string, prev: string[] | undefined): string[] => [
  ...(prev ?? []),
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function seconds(name: string, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`--${name}: seconds in (0, ${max}]`);
    }
    return n;
  };
}

/** Adds the Kubernetes-mode flags to `mezzo controller`. */
export function kubeAccessOptions(cmd: Command): Command {
  return cmd
    .option(
      '--kube-auth',
      'authenticate callers with TokenReview and authorize them with SubjectAccessReview (RBAC)',
    )
    .option(
      '--agent-identity <users>',
      'with --kube-auth: the only users that may register agents (comma-separated, repeatable)',
      list,
    )
    .option('--token-audience <auds>', 'audiences bearer tokens must be meant for', list)
    .option(
      '--token-cache-ttl <s>',
      'seconds an accepted token is trusted',
      seconds('token-cache-ttl', 600),
      30,
    )
    .option(
      '--access-cache-ttl <s>',
      'seconds an RBAC grant is kept',
      seconds('access-cache-ttl', 600),
      10,
    )
    .option('--tls-cert-file <file>', 'serve gRPC and HTTP over TLS with this certificate (PEM)')
    .option('--tls-key-file <file>', 'the private key of --tls-cert-file (PEM)')
    .option('--tls-ca-file <file>', 'CA of the serving certificate, for in-process clients')
    .option(
      '--tls-reload <s>',
      'seconds between reads of the certificate files',
      seconds('tls-reload', 3600),
      10,
    );
}

/** What the Kubernetes mode gives a controller process. */
export interface KubeServerAccess {
  /** Callers checked against the apiserver, plus the built-in frameworks' identity. */
  readonly access: AccessControl;
  /** The token the in-process built-in frameworks subscribe with. */
  readonly internalToken: string;
}

/** Builds the access control `--kube-auth` asks for. */
export function kubeServerAccess(
  flags: KubeAccessFlags,
  kc: k8s.KubeConfig,
  clock: Clock,
  metrics: MetricsRegistry,
): KubeServerAccess {
  const access = kubeAccessControl(kc, {
    clock,
    metrics,
    agentIdentities: flags.agentIdentity ?? [],
    ...(flags.tokenAudience ? { audiences: flags.tokenAudience } : {}),
    authnPositiveTtlMs: flags.tokenCacheTtl * 1000,
    authzAllowedTtlMs: flags.accessCacheTtl * 1000,
  });
  // The built-in frameworks run in this process: they need no apiserver identity, only
  // one no caller can present (a random token held in memory).
  const internalToken = randomBytes(32).toString('base64url');
  return { access: withInternalIdentity(access, internalToken), internalToken };
}

/** The flag pair is all or nothing: half a TLS configuration is a mistake, not plaintext. */
export class TlsFlagsError extends InvalidArgumentError {
  constructor() {
    super('--tls-cert-file and --tls-key-file go together');
  }
}

/** The serving certificate the flags name, or undefined for plaintext. */
export function tlsFromFlags(
  flags: Pick<KubeAccessFlags, 'tlsCertFile' | 'tlsKeyFile' | 'tlsReload'>,
  clock: Clock,
  logger: Logger,
  metrics: MetricsRegistry,
): CertificateReloader | undefined {
  if (!flags.tlsCertFile && !flags.tlsKeyFile) return undefined;
  if (!flags.tlsCertFile || !flags.tlsKeyFile) throw new TlsFlagsError();
  return new CertificateReloader(
    { certFile: flags.tlsCertFile, keyFile: flags.tlsKeyFile },
    { clock, logger, metrics, pollMs: flags.tlsReload * 1000 },
  );
}
