/**
 * A Mesos FrameworkInfo as Mezzo's. A framework that names no roles gets Mesos' default
 * role `*` (or its deprecated single `role`).
 */
import type { FrameworkInfo__Output } from '../../gen/mezzo/v1/FrameworkInfo.js';
import type { MesosFrameworkInfo } from './types.js';
import { labelsToMap } from './resources.js';
import { Refused } from './refused.js';

/** Throws {@link Refused} for offer filters and offer constraints, which Mezzo lacks. */
export function frameworkInfoFromMesos(
  info: MesosFrameworkInfo,
  offerConstraints: object | undefined,
): FrameworkInfo__Output {
  if (info.offer_filters && Object.keys(info.offer_filters).length > 0)
    throw new Refused('framework_info.offer_filters is not supported by Mezzo');
  if (offerConstraints !== undefined)
    throw new Refused('offer_constraints is not supported by Mezzo');
  return {
    id: info.id?.value ?? '',
    name: info.name,
    user: info.user,
    roles: info.roles && info.roles.length > 0 ? info.roles : [info.role ?? '*'],
    failover_timeout_seconds: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    principal: info.principal ?? '',
    capabilities: (info.capabilities ?? []).flatMap((c) => (c.type ? [c.type] : [])),
    hostname: info.hostname ?? '',
    labels: labelsToMap(info.labels),
  };
}
