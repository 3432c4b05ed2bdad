/**
 * An authorization question in words, as a denial names it (`create tasks.mezzo.dev
 * "web" in namespace "default"`, `get /state`).
 */
import type { AccessRequest, Principal } from './types.js';

/** The question, for a person. */
export function describeAccess(what: AccessRequest): string {
  if ('nonResource' in what) return `${what.nonResource.verb} ${what.nonResource.path}`;
  const r = what.resource;
  const resource = `${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.group ? `.${r.group}` : ''}`;
  const name = r.name ? ` "${r.name}"` : '';
  const where = r.namespace ? ` in namespace "${r.namespace}"` : '';
  return `${r.verb} ${resource}${name}${where}`;
}

/** A denial's message: who may not do what, and the authorizer's reason when it gave one. */
export function denialMessage(who: Principal, what: AccessRequest, reason: string): string {
  const base = `user "${who.username}" may not ${describeAccess(what)}`;
  return reason ? `${base}: ${reason}` : base;
}

/** The metric labels of a question: its verb, and its resource (or `nonresource`). */
export function accessLabels(what: AccessRequest): { verb: string; resource: string } {
  if ('nonResource' in what) return { verb: what.nonResource.verb, resource: 'nonresource' };
  const r = what.resource;
  return { verb: r.verb, resource: r.subresource ? `${r.resource}/${r.subresource}` : r.resource };
}
