/**
 * The operator API's SUBSCRIBE (`POST /api/v1` with `{"type": "SUBSCRIBE"}`): a RecordIO
 * stream of `mesos.v1.master.Event` in JSON. First SUBSCRIBED with the whole state (as
 * GET_STATE) and the heartbeat interval; then, as the dashboard's stream does
 * (src/controller/http/events-stream.ts), the controller's view is compared once a tick
 * and each difference is sent: TASK_ADDED, TASK_UPDATED (a task's state changed),
 * FRAMEWORK_ADDED, FRAMEWORK_UPDATED (connected, roles or name changed),
 * FRAMEWORK_REMOVED, AGENT_ADDED, AGENT_REMOVED; HEARTBEAT between. States a task passes
 * through within one tick are not each reported, only the one it is in at the tick.
 */
import type { ServerResponse } from 'node:http';
import type { Timer } from '../../shared/clock.js';
import type { ControllerCore } from '../../controller/core.js';
import { recordIo } from './events.js';
import { agentEntry, frameworkEntry, frameworkInfoEntry, getState, taskEntry } from './operator.js';

/** How often the view is compared (ms). */
export const OPERATOR_TICK_MS = 250;

/** How often an idle stream gets a HEARTBEAT (s), as Mesos' master: 15 s. */
export const OPERATOR_HEARTBEAT_S = 15;

/** Unread bytes past which a subscriber is dropped (it resubscribes for a fresh state). */
export const OPERATOR_MAX_UNREAD_BYTES = 8 * 1024 * 1024;

interface View {
  /** Task ID → its state. */
  tasks: Map<string, string>;
  /** Framework ID → what FRAMEWORK_UPDATED is about, and its last FrameworkInfo. */
  frameworks: Map<string, { key: string; info: Record<string, unknown> }>;
  agents: Set<string>;
}

function viewOf(core: ControllerCore): View {
  const frameworks = new Map<string, { key: string; info: Record<string, unknown> }>();
  for (const f of core.frameworks.values()) {
    frameworks.set(f.id, {
      key: JSON.stringify([f.connected, f.roles, f.info.name]),
      info: frameworkInfoEntry(f),
    });
  }
  return {
    tasks: new Map([...core.tasks.values()].map((t) => [t.id, t.state])),
    frameworks,
    agents: new Set(core.agents.keys()),
  };
}

/** The events that take a subscriber from `before` to `now`. */
function changes(core: ControllerCore, before: View, now: View): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [id, f] of now.frameworks) {
    const was = before.frameworks.get(id);
    const fw = core.frameworks.get(id);
    if (!fw || was?.key === f.key) continue;
    const type = was ? 'FRAMEWORK_UPDATED' : 'FRAMEWORK_ADDED';
    const field = was ? 'framework_updated' : 'framework_added';
    out.push({ type, [field]: { framework: frameworkEntry(core, fw) } });
  }
  for (const [id, f] of before.frameworks) {
    if (!now.frameworks.has(id))
      out.push({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: f.info } });
  }
  for (const id of now.agents) {
    const a = core.agents.get(id);
    if (a && !before.agents.has(id))
      out.push({ type: 'AGENT_ADDED', agent_added: { agent: agentEntry(core, a) } });
  }
  for (const id of before.agents) {
    if (!now.agents.has(id))
      out.push({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: id } } });
  }
  for (const [id, state] of now.tasks) {
    const t = core.tasks.get(id);
    const was = before.tasks.get(id);
    if (!t || was === state) continue;
    if (was === undefined) {
      out.push({ type: 'TASK_ADDED', task_added: { task: taskEntry(t) } });
      continue;
    }
    out.push({
      type: 'TASK_UPDATED',
      task_updated: {
        framework_id: { value: t.frameworkId },
        status: {
          task_id: { value: t.id },
          state,
          timestamp: Number(t.status?.timestamp ?? core.clock.now() / 1000),
          ...(t.status?.message ? { message: t.status.message } : {}),
        },
        state,
      },
    });
  }
  return out;
}

/** Serves one subscription on `res` until the subscriber goes away. */
export function serveOperatorEvents(core: ControllerCore, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  const send = (event: Record<string, unknown>) => {
    res.write(recordIo(Buffer.from(JSON.stringify(event))));
    // A subscriber that does not read is not allowed to grow the controller's memory.
    if (res.writableLength > OPERATOR_MAX_UNREAD_BYTES) res.destroy();
  };
  let view = viewOf(core);
  send({
    type: 'SUBSCRIBED',
    subscribed: { get_state: getState(core), heartbeat_interval_seconds: OPERATOR_HEARTBEAT_S },
  });
  let sinceBeat = 0;
  let timer: Timer | undefined;
  const tick = () => {
    if (res.destroyed || res.writableEnded) return;
    const now = viewOf(core);
    const events = changes(core, view, now);
    view = now;
    for (const e of events) send(e);
    sinceBeat = events.length > 0 ? 0 : sinceBeat + OPERATOR_TICK_MS;
    if (sinceBeat >= OPERATOR_HEARTBEAT_S * 1000) {
      sinceBeat = 0;
      send({ type: 'HEARTBEAT' });
    }
    timer = core.clock.setTimer(OPERATOR_TICK_MS, tick);
  };
  timer = core.clock.setTimer(OPERATOR_TICK_MS, tick);
  res.on('close', () => timer?.cancel());
}
