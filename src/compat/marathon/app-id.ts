/**
 * How a Marathon app id names an App object. Marathon ids are absolute paths of DNS-label
 * segments (`/team/web`); App names are DNS subdomains in one namespace. Every app the
 * Marathon API serves lives in one configured namespace, and its name is the path's
 * segments joined by dots: `/team/web` is the App `team.web`. Marathon lets a segment
 * hold dots itself (`/team.web`), which would make two ids one name, so such ids are
 * refused: the mapping is one-to-one both ways.
 */

/** A Marathon id segment as this mapping takes it: a DNS label (no dots). */
const SEGMENT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The longest App name (a DNS subdomain). */
const MAX_NAME = 253;

/** Where a Marathon app lives. */
export interface AppRef {
  namespace: string;
  name: string;
  /** The canonical Marathon id, e.g. `/team/web`. */
  id: string;
}

/** The answer for an id: the App it names, or why it names none. */
export type IdResult = { ok: true; ref: AppRef } | { ok: false; why: string };

/**
 * The App a Marathon id names in `namespace`. Relative ids (`web`) are taken from the
 * root, as Marathon does for apps outside groups; `.` and `..` segments are refused.
 */
export function appRefOf(namespace: string, rawId: string): IdResult {
  if (rawId.length === 0) return { ok: false, why: 'the id is empty' };
  if (rawId.length > MAX_NAME + 1) return { ok: false, why: `the id is longer than ${MAX_NAME}` };
  const segments = rawId.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  for (const s of segments) {
    if (!SEGMENT.test(s))
      return {
        ok: false,
        why: `path segment "${s.slice(0, 64)}" is not a DNS label (lowercase letters, digits and inner hyphens; Mezzo refuses dots inside a segment because the App name joins segments with dots)`,
      };
  }
  const name = segments.join('.');
  if (name.length > MAX_NAME)
    return { ok: false, why: `the App name "${name.slice(0, 64)}…" is longer than ${MAX_NAME}` };
  return { ok: true, ref: { namespace, name, id: `/${segments.join('/')}` } };
}

/** The Marathon id of the App `name` (the inverse of {@link appRefOf}). */
export function marathonIdOf(name: string): string {
  return `/${name.split('.').join('/')}`;
}
