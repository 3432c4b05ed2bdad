/**
 * The shapes authentication and authorization share across HTTP and gRPC, controller and
 * agent, dev mode and Kubernetes. They follow Kubernetes' own: a caller is the user a
 * TokenReview returns, and a question is a SubjectAccessReview's attributes, so that on
 * Kubernetes RBAC answers every question and in `mezzo dev` a local policy answers the
 * same questions the same way.
 */

/** Who is calling, as the token's issuer says (TokenReview's `status.user`). */
export interface Principal {
  /** e.g. `system:serviceaccount:team-a:batch`, or `mezzo:dev-admin` in dev mode. */
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  /** TokenReview's `extra`, e.g. `authentication.kubernetes.io/node-name` for pod-bound tokens. */
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The outcome of checking a bearer token: a principal, or why not (an expected rejection). */
export type Authentication =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: string };

/** Turns a bearer token into a principal (dev token file, or TokenReview with a cache). */
export interface Authenticator {
  authenticate(token: string): Promise<Authentication>;
}

/** A question about an API object, as SubjectAccessReview's `resourceAttributes`. */
export interface ResourceAccess {
  readonly verb: string;
  /** API group; `mezzo.dev` for Mezzo's own kinds and verbs. */
  readonly group: string;
  /** Plural resource, e.g. `tasks`, `frameworks`, `agents`, `users`. */
  readonly resource: string;
  readonly subresource?: string;
  /** Empty or absent for cluster-scoped questions. */
  readonly namespace?: string;
  readonly name?: string;
}

/** A question about a URL path, as SubjectAccessReview's `nonResourceAttributes`. */
export interface PathAccess {
  readonly verb: string;
  readonly path: string;
}

/** One authorization question. */
export type AccessRequest =
  { readonly resource: ResourceAccess } | { readonly nonResource: PathAccess };

/** The answer: allowed, or denied with what was missing (an expected rejection). */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** Answers authorization questions (a local policy in dev mode, SubjectAccessReview on Kubernetes). */
export interface Authorizer {
  authorize(who: Principal, what: AccessRequest): Promise<Decision>;
}

/**
 * What a server needs to guard its calls. Passed to the controller and the agent; their
 * HTTP routes and gRPC methods consult it on every call.
 */
export interface AccessControl {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
}
