/**
 * The identity of code running inside the controller process (the built-in frameworks):
 * a random token held in memory authenticates as {@link INTERNAL_USER} with a uid made
 * from the token, and that principal is allowed everything; every other token and
 * principal goes to the wrapped access control. No external token can pass as it: the
 * token is compared in constant time and the authorizer checks the uid, which a
 * TokenReview cannot forge without knowing the token.
 */
import { sameDigest, tokenDigest } from './token.js';
import type { AccessControl, Principal } from './types.js';

/** The user name the built-in frameworks act as. */
export const INTERNAL_USER = 'mezzo:controller-internal';

/** Wraps `access` so that `token` is an in-process administrator. */
export function withInternalIdentity<A extends AccessControl>(access: A, token: string): A {
  const digest = tokenDigest(token);
  const uid = digest.toString('hex').slice(0, 32);
  const internal: Principal = { username: INTERNAL_USER, uid, groups: [], extra: {} };
  const isInternal = (who: Principal) => who.username === INTERNAL_USER && who.uid === uid;
  // Other properties (the agent identity policy) stay as they are.
  return {
    ...access,
    authenticator: {
      authenticate: (t) =>
        sameDigest(tokenDigest(t), digest)
          ? Promise.resolve({ ok: true, principal: internal })
          : access.authenticator.authenticate(t),
    },
    authorizer: {
      authorize: (who, what) =>
        isInternal(who)
          ? Promise.resolve({ allowed: true })
          : access.authorizer.authorize(who, what),
    },
  };
}
