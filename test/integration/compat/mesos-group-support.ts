/**
 * A Mesos framework for the LAUNCH_GROUP tests (mesos-launch-group*.test.ts): subscribed
 * over raw HTTP in one format, with builders of Mesos' LAUNCH_GROUP operations and a wait
 * that acknowledges updates until tasks reach a state.
 */
import assert from 'node:assert/strict';
import type { Controller } from '../../../src/controller/controller.js';
import {
  mesosCall,
  mesosSubscribe,
  type MesosSubscription,
  type MesosTestEvent,
} from '../../support/mesos-http.js';

/** Where a framework subscribes: a controller, its scheduler API URL, what to close on stop. */
export interface GroupTarget {
  controller: Controller;
  url: string;
  onStop: (() => Promise<void> | void)[];
}

/** One subscribed framework speaking one format. */
export interface GroupFramework {
  sub: MesosSubscription;
  id: string;
  format: 'json' | 'protobuf';
  target: GroupTarget;
  call(body: object): ReturnType<typeof mesosCall>;
}

/** Subscribes a framework named `name` (failing over to framework `id` when given). */
export async function subscribeGroupFramework(
  target: GroupTarget,
  name: string,
  format: 'json' | 'protobuf',
  id?: string,
): Promise<GroupFramework> {
  const info = { user: 'nobody', name, roles: [name], failover_timeout: 60 };
  const sub = await mesosSubscribe(
    target.url,
    {
      type: 'SUBSCRIBE',
      ...(id ? { framework_id: { value: id } } : {}),
      subscribe: { framework_info: { ...info, ...(id ? { id: { value: id } } : {}) } },
    },
    format,
  );
  target.onStop.push(() => sub.close());
  assert.equal(sub.status, 200);
  const e = await sub.next((x) => x.type === 'SUBSCRIBED', 'SUBSCRIBED');
  const fwId = e.subscribed?.framework_id.value ?? '';
  return {
    sub,
    id: fwId,
    format,
    target,
    call: (body) =>
      mesosCall(target.url, { framework_id: { value: fwId }, ...body }, format, sub.streamId),
  };
}

/** An offer as the tests read it. */
export type Offer = NonNullable<MesosTestEvent['offers']>['offers'][number];

/** An offer of `fw`'s still outstanding (earlier ones were used or went back). */
export async function outstandingOffer(fw: GroupFramework): Promise<Offer> {
  const pick = (e: MesosTestEvent) =>
    e.offers?.offers.find((o) => fw.target.controller.core.offers.get(o.id.value) !== undefined);
  const offer = pick(await fw.sub.next((e) => pick(e) !== undefined, 'an outstanding offer'));
  assert.ok(offer);
  return offer;
}

/** A Mesos SCALAR resource. */
export const scalar = (name: string, value: number) => ({
  name,
  type: 'SCALAR',
  scalar: { value },
});

/** 0.1 cpus and 32 MB. */
export const small = [scalar('cpus', 0.1), scalar('mem', 32)];

/** A shell task on the offer's agent, with `small` resources unless `extra` says otherwise. */
export function task(id: string, offer: Offer, command: string, extra: object = {}): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    command: { value: command },
    resources: small,
    ...extra,
  };
}

/** A DEFAULT executor with `small` resources. */
export const defaultExecutor = (id: string, extra: object = {}) => ({
  type: 'DEFAULT',
  executor_id: { value: id },
  resources: small,
  ...extra,
});

/** A LAUNCH_GROUP operation. */
export function launchGroup(executor: object, tasks: object[]): object {
  return { type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks } } };
}

/** An ACCEPT of one offer (refused resources back after 1 s). */
export function accept(offer: Offer, ...operations: object[]): object {
  return {
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: 1 } },
  };
}

/** Acknowledges `fw`'s updates until each of `ids` reached `state`; their states seen in order. */
export async function untilAll(
  fw: GroupFramework,
  ids: string[],
  state: string,
): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  for (const id of ids) {
    await fw.sub.acknowledgeUntil(
      fw.target.url,
      fw.id,
      fw.format,
      (e) => e.update?.status.task_id.value === id && e.update.status.state === state,
      `${id} ${state}`,
    );
  }
  for (const e of fw.sub.events) {
    const s = e.update?.status;
    if (!s || !ids.includes(s.task_id.value)) continue;
    const states = seen.get(s.task_id.value) ?? [];
    // At-least-once delivery: repeats aside.
    if (states.at(-1) !== s.state) states.push(s.state);
    seen.set(s.task_id.value, states);
  }
  return seen;
}
