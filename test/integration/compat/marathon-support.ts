/**
 * A controller guarded as `mezzo dev --static-tokens --authz-policy` guards it, for the
 * Marathon API's conformance tests: the admin ({@link TEST_TOKEN}), a viewer who may only
 * read Apps in `default`, and a caller with no rights at all.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessFromFlags } from '../../../src/auth/access-from-flags.js';
import { newToken } from '../../../src/auth/token.js';
import { Controller } from '../../../src/controller/controller.js';
import { EmbeddedStore } from '../../../src/store/embedded.js';
import { SystemClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import { tempDir } from '../../support/cleanup.js';
import { authHeader, writeTestTokenFile } from '../../support/auth.js';

/** Tokens besides the admin's. */
export const MARATHON_TOKENS = { viewer: newToken(), nobody: newToken() } as const;

const POLICY = `rules:
  - users: [viewer]
    verbs: [get, list]
    resources: [apps]
    namespaces: [default]
`;

/** A guarded controller on loopback with an embedded store. */
export interface MarathonController {
  store: EmbeddedStore;
  http: string;
  /** fetch() as `token`'s holder (the admin by default), JSON content type. */
  call(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts one. */
export async function startMarathonController(): Promise<MarathonController> {
  const dir = tempDir('mezzo-marathon-');
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(
    tokens,
    [`${MARATHON_TOKENS.viewer},viewer,2001,""`, `${MARATHON_TOKENS.nobody},nobody,2002,""`].join(
      '\n',
    ),
    { mode: 0o600 },
  );
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const access = await accessFromFlags({
    tokenFile: writeTestTokenFile(dir),
    staticTokens: tokens,
    authzPolicy: policy,
  });
  const clock = new SystemClock();
  const store = new EmbeddedStore(join(dir, 'state.json'), clock);
  const controller = new Controller({
    clock,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    store,
    access,
    grpcPort: 0,
    httpPort: 0,
  });
  await controller.start();
  const http = `http://127.0.0.1:${controller.httpPort}`;
  return {
    store,
    http,
    call: (path, init = {}) => {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      if (token !== null) headers.set('authorization', authHeader(token).authorization);
      return fetch(`${http}${path}`, { ...rest, headers });
    },
    stop: async () => {
      await controller.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
