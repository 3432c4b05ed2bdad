/**
 * Dev mode's authenticator: the dev token's holder is the administrator
 * ({@link DEV_ADMIN}), and a static token file may add other identities. Every token is
 * compared in constant time, and with every known token, so the time taken does not say
 * which one (or how much of one) matched.
 */
import type { StaticIdentity } from './static-tokens.js';
import { sameDigest, tokenDigest } from './token.js';
import type { Authentication, Authenticator, Principal } from './types.js';

/** The group RBAC allows everything (Kubernetes' own name for it). */
export const MASTERS_GROUP = 'system:masters';

/** Who holds the dev token. */
export const DEV_ADMIN: Principal = {
  username: 'mezzo:dev-admin',
  groups: [MASTERS_GROUP, 'system:authenticated'],
  extra: {},
};

/** Authenticates the dev token and the identities of a static token file. */
export class DevAuthenticator implements Authenticator {
  /** Each identity with its token's digest (hashed once, not at every call). */
  private readonly identities: readonly { digest: Buffer; principal: Principal }[];

  /** `adminToken` undefined: only the file's identities (a controller without a dev token). */
  constructor(adminToken: string | undefined, identities: readonly StaticIdentity[] = []) {
    this.identities = [
      ...(adminToken === undefined
        ? []
        : [{ digest: tokenDigest(adminToken), principal: DEV_ADMIN }]),
      ...identities.map((i) => ({
        digest: tokenDigest(i.token),
        principal: {
          ...i.principal,
          groups: [...new Set([...i.principal.groups, 'system:authenticated'])],
        },
      })),
    ];
  }

  authenticate(token: string): Promise<Authentication> {
    const presented = tokenDigest(token);
    let found: Principal | undefined;
    for (const identity of this.identities) {
      if (sameDigest(presented, identity.digest) && !found) found = identity.principal;
    }
    return Promise.resolve(
      found ? { ok: true, principal: found } : { ok: false, reason: 'the token is not known' },
    );
  }
}
