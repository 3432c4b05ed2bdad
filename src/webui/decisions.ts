/**
 * The allocator's recent decisions for one framework (offers made, declined with their
 * refuse filter, roles held back by quota or by the role's limit), followed live: GET
 * /decisions once a second asks only for what came after the last decision shown, so an
 * open page costs the controller the few new ones. The controller keeps the last 50 per
 * framework; so does this list.
 */
import { call, isRecord } from './api.js';
import { fmt, h, table, type Child } from './dom.js';
import { list, num, rec, str } from './model.js';

/** How many decisions the page keeps (the controller's ring size). */
const KEEP = 50;

/** "cpus 0 · mem 512": what a held-back role may still get, zeros included. */
function room(d: Record<string, unknown>): string {
  const parts = Object.entries(rec(d, 'room'))
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => `${k} ${fmt(v)}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

function describe(d: Record<string, unknown>): { what: Child; detail: string } {
  const kind = str(d, 'kind');
  if (kind === 'offered') {
    return { what: h('span', { class: 'badge s-running' }, 'offered'), detail: '' };
  }
  if (kind === 'declined') {
    return {
      what: h('span', { class: 'badge s-staging' }, 'declined'),
      detail: `filter: refuse for ${num(d, 'refuseSeconds')} s`,
    };
  }
  const limit = str(d, 'cause') === 'role-limit';
  return {
    what: h(
      'span',
      { class: 'badge s-failed' },
      limit ? 'held back: role limit' : 'held back: quota',
    ),
    detail: limit
      ? `role ${str(d, 'limitedBy')} is at its quota limit; room left: ${room(d)}`
      : `what is free is kept for other roles' quota guarantees; room left: ${room(d)}`,
  };
}

/**
 * Builds the decisions panel into `into` and follows it; returns the stop. A failed call
 * (the framework is gone, the token lacks the right) is said in the panel's note.
 */
export function followDecisions(frameworkId: string, into: HTMLElement): () => void {
  const shown: Record<string, unknown>[] = [];
  let since = 0;
  let stopped = false;
  const note = h('p', { class: 'muted', id: 'decisions-note' }, 'Loading decisions…');
  const box = h('div', { id: 'decisions' });
  into.append(h('h3', {}, 'Allocator decisions (most recent first)'), note, box);
  const draw = () => {
    const rows = [...shown].reverse().map((d) => {
      const { what, detail } = describe(d);
      return [
        new Date(num(d, 'at')).toLocaleTimeString(),
        what,
        list(d, 'roles').join(', '),
        num(d, 'offers') || '—',
        str(d, 'resources') || '—',
        detail || (list(d, 'agents').length > 0 ? `agents: ${list(d, 'agents').join(', ')}` : ''),
      ];
    });
    box.replaceChildren(
      table(
        'Allocator decisions',
        ['When', 'Decision', 'Roles', 'Offers', 'Resources', 'Detail'],
        rows,
        'No decision yet: the allocator has not offered to this framework, nor held it back.',
      ),
    );
  };
  const poll = async () => {
    const r = await call(
      'GET',
      `/decisions?framework=${encodeURIComponent(frameworkId)}&since=${since}`,
    );
    if (stopped) return;
    if (!r.ok) {
      note.textContent = `Decisions unavailable: ${r.message}`;
      return;
    }
    const got = isRecord(r.value) ? list(r.value, 'decisions').filter(isRecord) : [];
    note.textContent =
      'Offers made, offers declined (with the refuse filter asked for), and roles quota held back.';
    if (got.length === 0 && since > 0) return;
    for (const d of got) {
      shown.push(d);
      since = Math.max(since, num(d, 'seq'));
    }
    if (shown.length > KEEP) shown.splice(0, shown.length - KEEP);
    draw();
  };
  void poll();
  const timer = setInterval(() => void poll(), 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
