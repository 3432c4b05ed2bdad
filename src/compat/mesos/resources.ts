/**
 * Resources and attributes between Mesos' shapes (Value.Scalar / Ranges / Set, the
 * `reservations` stack or the older `role` + `reservation`, allocation_info) and Mezzo's
 * (scalar, ranges, set, reservations). Mesos resources Mezzo has no equivalent for
 * (persistent volumes and disk sources, revocable and shared resources, resource
 * providers, TEXT values) are refused.
 */
import type { Resource } from '../../gen/mezzo/v1/Resource.js';
import type { Resource__Output } from '../../gen/mezzo/v1/Resource.js';
import type { Reservation__Output } from '../../gen/mezzo/v1/Reservation.js';
import type { Attribute } from '../../gen/mezzo/v1/Attribute.js';
import type { MesosAttribute, MesosLabels, MesosReservation, MesosResource } from './types.js';
import { Refused } from './refused.js';

/** Mesos `Labels` as a map (a later duplicate key wins). */
export function labelsToMap(labels: MesosLabels | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels?.labels ?? []) out[l.key] = l.value ?? '';
  return out;
}

/** A map as Mesos `Labels`. */
export function mapToLabels(map: Readonly<Record<string, string>> | undefined): MesosLabels {
  return { labels: Object.entries(map ?? {}).map(([key, value]) => ({ key, value })) };
}

function reservationsOf(r: MesosResource): Reservation__Output[] {
  const toMezzo = (x: MesosReservation, type: 'STATIC' | 'DYNAMIC'): Reservation__Output => ({
    type: x.type === 'STATIC' || x.type === 'DYNAMIC' ? x.type : type,
    role: x.role ?? '',
    principal: x.principal ?? '',
    labels: labelsToMap(x.labels),
  });
  if (r.reservations && r.reservations.length > 0) {
    return r.reservations.map((x) => {
      if (!x.role) throw new Refused(`resource ${r.name}: a reservation names no role`);
      return toMezzo(x, 'DYNAMIC');
    });
  }
  // The format before reservation refinement: `role` reserved statically, or dynamically
  // when `reservation` is set.
  const role = r.role ?? '*';
  if (role === '*') {
    if (r.reservation) throw new Refused(`resource ${r.name}: a reservation to role "*"`);
    return [];
  }
  return [toMezzo({ ...r.reservation, role }, r.reservation ? 'DYNAMIC' : 'STATIC')];
}

/** A Mesos resource as Mezzo's; throws {@link Refused} for what Mezzo cannot hold. */
export function resourceFromMesos(r: MesosResource): Resource__Output {
  const unsupported: [unknown, string][] = [
    [r.disk, 'disk (persistent volumes and disk sources)'],
    [r.revocable, 'revocable'],
    [r.shared, 'shared'],
    [r.provider_id, 'provider_id (resource providers)'],
  ];
  for (const [present, what] of unsupported)
    if (present !== undefined)
      throw new Refused(`resource ${r.name}: ${what} resources are not supported by Mezzo`);
  const base = { name: r.name, scalar: 0, ranges: [], set: [], revocable: false };
  const reservations = reservationsOf(r);
  switch (r.type) {
    case 'SCALAR':
      if (!r.scalar) throw new Refused(`resource ${r.name}: a SCALAR without scalar`);
      return { ...base, type: 'SCALAR', scalar: r.scalar.value, reservations };
    case 'RANGES':
      return { ...base, type: 'RANGES', ranges: r.ranges?.range ?? [], reservations };
    case 'SET':
      return { ...base, type: 'SET', set: r.set?.item ?? [], reservations };
    default:
      throw new Refused(`resource ${r.name}: ${r.type} resources are not supported by Mezzo`);
  }
}

/** Mezzo's resources as Mesos', allocated to `role` (an offer's or a task's). */
export function resourcesToMesos(list: readonly Resource[], role: string): MesosResource[] {
  return list.map((r) => {
    const reservations = (r.reservations ?? []).map((x) => ({
      type: x.type === 'STATIC' ? ('STATIC' as const) : ('DYNAMIC' as const),
      role: x.role ?? '',
      ...(x.principal ? { principal: x.principal } : {}),
      ...(x.labels && Object.keys(x.labels).length > 0 ? { labels: mapToLabels(x.labels) } : {}),
    }));
    const out: MesosResource = {
      name: r.name ?? '',
      type:
        r.type === 'RANGES' || r.type === 2
          ? 'RANGES'
          : r.type === 'SET' || r.type === 3
            ? 'SET'
            : 'SCALAR',
      // Frameworks without RESERVATION_REFINEMENT read the reserved role from here.
      role: reservations.at(-1)?.role ?? '*',
      ...(role ? { allocation_info: { role } } : {}),
    };
    if (out.type === 'SCALAR') out.scalar = { value: Number(r.scalar ?? 0) };
    if (out.type === 'RANGES')
      out.ranges = {
        range: (r.ranges ?? []).map((x) => ({ begin: Number(x.begin), end: Number(x.end) })),
      };
    if (out.type === 'SET') out.set = { item: [...(r.set ?? [])] };
    if (reservations.length > 0) out.reservations = reservations;
    return out;
  });
}

/** Mezzo's text attributes as Mesos TEXT attributes. */
export function attributesToMesos(list: readonly Attribute[]): MesosAttribute[] {
  return list.map((a) => ({ name: a.name ?? '', type: 'TEXT', text: { value: a.text ?? '' } }));
}

/** Mesos attributes (as an agent or constraint names them) as Mezzo's text. */
export function attributeText(a: MesosAttribute): string {
  if (a.text) return a.text.value;
  if (a.scalar) return String(a.scalar.value);
  if (a.set) return (a.set.item ?? []).join(',');
  return (a.ranges?.range ?? []).map((x) => `[${String(x.begin)}-${String(x.end)}]`).join(',');
}
