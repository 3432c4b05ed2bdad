/**
 * Mezzo's scheduler events as Mesos' (`mesos.v1.scheduler.Event`), and RecordIO, the
 * framing of Mesos' event streams: each record is its length in bytes as decimal ASCII,
 * a newline, then the record.
 */
import type { Event } from '../../gen/mezzo/v1/Event.js';
import type { Offer } from '../../gen/mezzo/v1/Offer.js';
import type { MesosEvent, MesosOffer } from './types.js';
import { attributesToMesos, resourcesToMesos } from './resources.js';
import { statusToMesos } from './tasks.js';

/** What SUBSCRIBED says of this master. */
export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  hostname: string;
  version: string;
}

/** One RecordIO record. */
export function recordIo(record: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${String(record.length)}\n`), record]);
}

/** An offer as Mesos'. */
export function offerToMesos(o: Offer): MesosOffer {
  const role = o.allocation_role ?? '';
  return {
    id: { value: o.id ?? '' },
    framework_id: { value: o.framework_id ?? '' },
    agent_id: { value: o.agent_id ?? '' },
    hostname: o.hostname ?? '',
    resources: resourcesToMesos(o.resources ?? [], role),
    attributes: attributesToMesos(o.attributes ?? []),
    executor_ids: [],
    ...(role ? { allocation_info: { role } } : {}),
  };
}

function b64(data: Buffer | Uint8Array | string | undefined): string {
  return data === undefined ? '' : Buffer.from(data).toString('base64');
}

/** A Mezzo event as Mesos'; undefined for one Mesos has no counterpart of. */
export function eventToMesos(e: Event, master: MasterInfo): MesosEvent | undefined {
  switch (e.type) {
    case 'SUBSCRIBED':
      return {
        type: 'SUBSCRIBED',
        subscribed: {
          framework_id: { value: e.subscribed?.framework_id ?? '' },
          heartbeat_interval_seconds: Number(e.subscribed?.heartbeat_interval_seconds ?? 0),
          master_info: master,
        },
      };
    case 'OFFERS':
      return { type: 'OFFERS', offers: { offers: (e.offers?.offers ?? []).map(offerToMesos) } };
    case 'RESCIND':
      return { type: 'RESCIND', rescind: { offer_id: { value: e.rescind?.offer_id ?? '' } } };
    case 'UPDATE':
      return e.update?.status
        ? { type: 'UPDATE', update: { status: statusToMesos(e.update.status) } }
        : undefined;
    case 'MESSAGE':
      return {
        type: 'MESSAGE',
        message: {
          agent_id: { value: e.message?.agent_id ?? '' },
          executor_id: { value: e.message?.executor_id ?? '' },
          data: b64(e.message?.data),
        },
      };
    case 'FAILURE':
      return {
        type: 'FAILURE',
        failure: {
          ...(e.failure?.agent_id ? { agent_id: { value: e.failure.agent_id } } : {}),
          ...(e.failure?.executor_id ? { executor_id: { value: e.failure.executor_id } } : {}),
          ...(e.failure?.status !== undefined ? { status: e.failure.status } : {}),
        },
      };
    case 'ERROR':
      return { type: 'ERROR', error: { message: e.error?.message ?? '' } };
    case 'HEARTBEAT':
      return { type: 'HEARTBEAT' };
    default:
      return undefined;
  }
}
