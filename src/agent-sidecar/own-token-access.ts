/**
 * The agent's default access control for its own HTTP port: the holder of the token the
 * agent uses towards the controller (in `mezzo dev`, the dev token) may read it; with no
 * token, nobody may.
 */
import { DevAuthenticator } from '../auth/dev-authenticator.js';
import { findToken } from '../auth/client-token.js';
import { PolicyAuthorizer } from '../auth/policy.js';
import type { AccessControl } from '../auth/types.js';
import type { AgentConfig } from './config.js';

/** Access for the holder of the agent's own token. */
export async function ownTokenAccess(config: AgentConfig): Promise<AccessControl> {
  const token = await findToken({
    ...(config.tokenFile ? { tokenFile: config.tokenFile } : {}),
    ...(config.controllers[0] ? { address: config.controllers[0] } : {}),
  }).catch(() => undefined);
  return { authenticator: new DevAuthenticator(token), authorizer: new PolicyAuthorizer() };
}
