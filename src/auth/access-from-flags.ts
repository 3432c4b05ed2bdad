/**
 * How a server process (controller, agent) gets its {@link AccessControl} from its
 * flags. Dev-style: `--token-file` holds the administrator's token (the file `mezzo dev`
 * writes); `--static-tokens` adds identities in kube-apiserver's token file format and
 * `--authz-policy` grants them rights. The Kubernetes mode (TokenReview and
 * SubjectAccessReview) plugs in here as another branch.
 */
import { MezzoError } from '../shared/errors.js';
import { DevAuthenticator } from './dev-authenticator.js';
import { PolicyAuthorizer, readPolicy } from './policy.js';
import { readStaticTokens } from './static-tokens.js';
import { readTokenFile } from './token.js';
import type { AccessControl } from './types.js';

/** The flags that choose how callers are checked. */
export interface AccessFlags {
  /** A file with the administrator's token (dev-style auth). */
  readonly tokenFile?: string;
  /** A kube-apiserver-style static token file of further identities. */
  readonly staticTokens?: string;
  /** A YAML policy granting rights to those identities. */
  readonly authzPolicy?: string;
}

/** Flags that leave no way for anyone to call. */
export class NoAuthConfiguredError extends MezzoError {
  constructor() {
    super(
      'INVALID_ARGUMENT',
      'no caller could authenticate: give --token-file (dev-style) or --static-tokens',
    );
  }
}

/** Builds the access control the flags describe. */
export async function accessFromFlags(flags: AccessFlags): Promise<AccessControl> {
  if (!flags.tokenFile && !flags.staticTokens) throw new NoAuthConfiguredError();
  const admin = flags.tokenFile ? await readTokenFile(flags.tokenFile) : undefined;
  const identities = flags.staticTokens ? await readStaticTokens(flags.staticTokens) : [];
  const rules = flags.authzPolicy ? await readPolicy(flags.authzPolicy) : [];
  return {
    authenticator: new DevAuthenticator(admin, identities),
    authorizer: new PolicyAuthorizer(rules),
  };
}

/** Dev mode's access control for a token held in memory (`mezzo dev`, tests). */
export function devAccess(adminToken: string): AccessControl {
  return {
    authenticator: new DevAuthenticator(adminToken),
    authorizer: new PolicyAuthorizer(),
  };
}
