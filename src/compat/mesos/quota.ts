/**
 * GET_QUOTA's answer from Mezzo's Role objects: each role's `quota.guarantee` and
 * `quota.limit` as Mesos' `QuotaConfig` (role, guarantees, limits: name → scalar). Amounts
 * are written as Mesos does: cpus in cores, mem and disk in MiB.
 */
import { Resources } from '../../allocator/index.js';
import { ValidationError } from '../../shared/errors.js';
import type { StoredObject } from '../../store/types.js';

/** A Role object as the store holds it. */
export type RoleObject = Pick<StoredObject, 'metadata' | 'spec'>;

interface RoleSpec {
  path?: string;
  quota?: { guarantee?: Record<string, unknown>; limit?: Record<string, unknown> };
}

/** Amounts in Mesos' units; throws ValidationError for amounts that do not parse. */
function scalars(m: Record<string, unknown> | undefined): Record<string, { value: number }> {
  if (!m) return {};
  const amounts = Object.fromEntries(
    Object.entries(m).filter(
      (e): e is [string, string | number] =>
        e[0] !== 'custom' && (typeof e[1] === 'string' || typeof e[1] === 'number'),
    ),
  );
  const out: Record<string, { value: number }> = {};
  // The same parse the controller applies to a Role (Kubernetes quantities, Mesos units).
  const r = Resources.fromQuantities(amounts);
  for (const name of Object.keys(amounts)) out[name] = { value: r.scalar(name) };
  return out;
}

/** The configs of every Role with a quota. A Role the controller could not parse is skipped. */
export function quotaConfigs(roles: readonly RoleObject[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const obj of roles) {
    const spec = obj.spec as RoleSpec;
    const q = spec.quota;
    if (!q || (!q.guarantee && !q.limit)) continue;
    try {
      out.push({
        role: spec.path ?? obj.metadata.name,
        guarantees: scalars(q.guarantee),
        limits: scalars(q.limit),
      });
    } catch (err) {
      // Invalid amounts: the controller ignored this Role too (it logged why).
      if (!(err instanceof ValidationError)) throw err;
    }
  }
  return out;
}
