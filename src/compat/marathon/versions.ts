/**
 * Marathon app versions on an App object. Marathon keeps every version of an app (an
 * ISO timestamp each) for `GET /v2/apps/{id}/versions` and rollbacks; Mezzo's App has
 * its spec only, so the Marathon API records the specs it writes in an annotation on the
 * App, newest last, bounded in count and size. Specs written another way (`mezzo apply`)
 * join the history at the next write through this API.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StoredObject } from '../../store/types.js';

/** The annotation holding the history (JSON). */
export const VERSIONS_ANNOTATION = 'marathon.mezzo.dev/versions';

/** Versions kept per app. */
export const MAX_VERSIONS = 10;

/** The most bytes of history kept (Kubernetes allows 256 KiB of annotations in all). */
export const MAX_HISTORY_BYTES = 64 * 1024;

/** One version: when it was written and the spec then. */
export interface AppVersion {
  version: string;
  spec: Record<string, unknown>;
}

function isVersion(v: unknown): v is AppVersion {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.version === 'string' && typeof o.spec === 'object' && o.spec !== null;
}

/**
 * The App's versions, oldest first. An App without a (readable) history has one: its
 * spec now, versioned at its creation. The annotation is anyone's to edit, so it is
 * read as untrusted text.
 */
export function versionsOf(app: StoredObject): AppVersion[] {
  const raw = app.metadata.annotations?.[VERSIONS_ANNOTATION];
  let list: AppVersion[] = [];
  if (raw !== undefined && raw.length <= MAX_HISTORY_BYTES * 2) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) list = parsed.filter(isVersion).slice(-MAX_VERSIONS);
    } catch {
      list = [];
    }
  }
  const last = list[list.length - 1];
  if (!last) {
    list.push({
      version: app.metadata.creationTimestamp ?? new Date(0).toISOString(),
      spec: app.spec,
    });
  } else if (!isDeepStrictEqual(withoutInstances(last.spec), withoutInstances(app.spec))) {
    // Changed elsewhere than through this API: the newest, with no time known for it.
    list.push({ version: `generation-${app.metadata.generation ?? 0}`, spec: app.spec });
  }
  return list;
}

function withoutInstances(spec: Record<string, unknown>): Record<string, unknown> {
  const { instances: _i, ...rest } = spec;
  return rest;
}

/** The history with `spec` appended as version `at`, within the bounds; as annotation text. */
export function withVersion(
  app: StoredObject | undefined,
  spec: Record<string, unknown>,
  at: string,
): string {
  const list = app ? versionsOf(app) : [];
  list.push({ version: at, spec });
  let kept = list.slice(-MAX_VERSIONS);
  let text = JSON.stringify(kept);
  while (kept.length > 1 && text.length > MAX_HISTORY_BYTES) {
    kept = kept.slice(1);
    text = JSON.stringify(kept);
  }
  return text;
}

/** The app's current version (its newest). */
export function currentVersion(app: StoredObject): string {
  const list = versionsOf(app);
  return list[list.length - 1]?.version ?? app.metadata.creationTimestamp ?? '';
}
