/**
 * What HTTP and gRPC guards share: authenticate a bearer token and authorize questions,
 * counting failures and denials (`mezzo_authn_failures_total`,
 * `mezzo_authz_denied_total`) and phrasing a denial so that it says what was missing.
 */
import type { Counter } from 'prom-client';
import type { MetricsRegistry } from '../shared/metrics.js';
import { accessLabels, denialMessage } from './describe.js';
import type { AccessControl, AccessRequest, Authentication, Principal } from './types.js';

/** Where a request came in, as the failure counter's label. */
export type Transport = 'http' | 'grpc';

/** The answer to a list of questions: allowed, or the first denial's message. */
export type Verdict =
  { readonly allowed: true } | { readonly allowed: false; readonly message: string };

/** Authenticates and authorizes with counters. */
export class AccessGuard {
  private readonly denied: Counter<'verb' | 'resource'>;
  private readonly failures: Counter<'transport'>;

  constructor(
    readonly access: AccessControl,
    metrics: MetricsRegistry,
  ) {
    this.denied = metrics.counter(
      'mezzo_authz_denied_total',
      'Requests refused because the caller lacked a right',
      ['verb', 'resource'],
    );
    this.failures = metrics.counter(
      'mezzo_authn_failures_total',
      'Requests refused because they carried no token or one that is not valid',
      ['transport'],
    );
  }

  /** Authenticates `token` (undefined: none was sent). */
  async authenticate(token: string | undefined, transport: Transport): Promise<Authentication> {
    const result: Authentication = token
      ? await this.access.authenticator.authenticate(token)
      : { ok: false, reason: 'no bearer token was sent' };
    if (!result.ok) this.failures.inc({ transport });
    return result;
  }

  /** Authorizes every question (all must be allowed); the first denial is the answer. */
  async authorize(who: Principal, what: readonly AccessRequest[]): Promise<Verdict> {
    const decisions = await Promise.all(what.map((q) => this.access.authorizer.authorize(who, q)));
    for (const [i, d] of decisions.entries()) {
      const q = what[i];
      if (d.allowed || !q) continue;
      this.denied.inc(accessLabels(q));
      return { allowed: false, message: denialMessage(who, q, d.reason) };
    }
    return { allowed: true };
  }
}
