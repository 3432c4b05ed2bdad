/**
 * A kubeconfig that reads its TLS files (`certificate-authority`, `client-certificate`,
 * `client-key`) at most once a minute rather than at every request. `KubeConfig` reads
 * each named file again for every request it authenticates (three `open`/`read`/`close`
 * runs a request): 2.3–2.6 % of the controller's busy samples in its profile under the
 * side-by-side bench. An in-cluster controller reads the service account's CA file the
 * same way. Files still rotate: a changed file is seen within
 * {@link FILE_REREAD_MS}, as the service-account token's file is (client-node's
 * FileAuth, client-go's token source).
 *
 * The cache sits behind the kubeconfig's own accessors (`getCurrentCluster`,
 * `getCurrentUser`), which its `applySecurityAuthentication` and `applyToHTTPSOptions`
 * call, so subclasses that wrap authentication (the rate limit) still see every request.
 */
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../shared/clock.js';

/** How long file contents are used before they are read again (ms). */
export const FILE_REREAD_MS = 60_000;

interface Inlined {
  /** The loaded entries this copy was made from: a reload or context switch voids it. */
  readonly fromCluster: k8s.Cluster | null;
  readonly fromUser: k8s.User | null;
  readonly at: number;
  readonly cluster: k8s.Cluster | null;
  readonly user: k8s.User | null;
}

const base64Of = (file: string): string => readFileSync(file).toString('base64');

/** The current cluster and user with their files' contents in place of the files. */
function inline(cluster: k8s.Cluster | null, user: k8s.User | null) {
  return {
    cluster: cluster?.caFile
      ? { ...cluster, caFile: undefined, caData: base64Of(cluster.caFile) }
      : cluster,
    user:
      user && (user.certFile || user.keyFile)
        ? {
            ...user,
            certFile: undefined,
            keyFile: undefined,
            certData: user.certFile ? base64Of(user.certFile) : user.certData,
            keyData: user.keyFile ? base64Of(user.keyFile) : user.keyData,
          }
        : user,
  };
}

/** A `KubeConfig` whose TLS files are read once a minute (see the module comment). */
export class FileCachedKubeConfig extends k8s.KubeConfig {
  private inlined: Inlined | undefined;

  constructor(private readonly clock: Pick<Clock, 'now'>) {
    super();
  }

  /** The current cluster, its CA file's contents inline. */
  override getCurrentCluster(): k8s.Cluster | null {
    return this.current().cluster;
  }

  /** The current user, its certificate and key files' contents inline. */
  override getCurrentUser(): k8s.User | null {
    return this.current().user;
  }

  private current(): { cluster: k8s.Cluster | null; user: k8s.User | null } {
    const fromCluster = super.getCurrentCluster();
    const fromUser = super.getCurrentUser();
    const now = this.clock.now();
    // A copy made from other entries (a reload, another context) is never used.
    const was =
      this.inlined?.fromCluster === fromCluster && this.inlined.fromUser === fromUser
        ? this.inlined
        : undefined;
    if (was && now - was.at < FILE_REREAD_MS) return was;
    try {
      this.inlined = { fromCluster, fromUser, at: now, ...inline(fromCluster, fromUser) };
      return this.inlined;
    } catch {
      // A file that cannot be read now (replaced while it rotates): what was read last
      // for these entries, tried again at the next request; with nothing read yet, the
      // entries as loaded, so the request reads the file itself and fails as it would
      // without this cache.
      return was ?? { cluster: fromCluster, user: fromUser };
    }
  }
}
