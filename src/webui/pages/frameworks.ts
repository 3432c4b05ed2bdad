/**
 * Frameworks: connected, disconnected and completed ones (user, roles, tasks, resources,
 * share); `#/frameworks/ID` shows one with its tasks and the allocator's recent decisions
 * for it, followed live.
 */
import { followDecisions } from '../decisions.js';
import { h, link, quantities, table, when } from '../dom.js';
import { item, items, list, num, rec, str } from '../model.js';
import type { Page } from '../page.js';
import { rowWindow } from '../window.js';
import { taskRows, TASK_HEAD } from './tasks.js';

export { quantities };

/** A framework's identity as a definition list, then `last` (a live or a gone one's). */
function facts(id: string, f: Record<string, unknown>, last: [string, Node | string]): Node {
  return h(
    'dl',
    {},
    h('dt', {}, 'ID'),
    h('dd', {}, id),
    h('dt', {}, 'Name'),
    h('dd', {}, str(f, 'name')),
    h('dt', {}, 'User'),
    h('dd', {}, str(f, 'user') || '—'),
    h('dt', {}, 'Roles'),
    h('dd', {}, list(f, 'roles').join(', ')),
    h('dt', {}, 'Registered'),
    h('dd', {}, when(f.registeredAt)),
    h('dt', {}, last[0]),
    typeof last[1] === 'string' ? h('dd', {}, last[1]) : last[1],
  );
}

function one(id: string): Node {
  const f = item('frameworks', id);
  const gone = item('completed', id);
  if (!f && gone) {
    // A framework that is gone, as the completed list keeps it.
    const why = h(
      'dd',
      { id: 'framework-completed' },
      when(gone.removedAt),
      ': ',
      str(gone, 'reason'),
    );
    return h('div', {}, facts(id, gone, ['Completed', why]));
  }
  if (!f)
    return h('p', { class: 'empty' }, `Framework ${id} is not registered (or has been removed).`);
  const { rows: tasks, more } = rowWindow(
    'framework-tasks',
    items('tasks').filter((t) => t.frameworkId === id),
  );
  return h(
    'div',
    {},
    facts(id, f, ['Dominant share', `${(num(f, 'share') * 100).toFixed(1)} %`]),
    h('h3', {}, 'Tasks'),
    table('Tasks of the framework', TASK_HEAD, taskRows(tasks), 'No tasks.'),
    more,
  );
}

/** The Frameworks page; `#/frameworks/ID` shows one. */
export const frameworksPage: Page = {
  title: 'Frameworks',
  uses: ['frameworks', 'completed', 'tasks', 'agents'],
  fixed: (params, slots) =>
    params[0] === undefined ? undefined : followDecisions(params[0], slots.below),
  live: (params) => {
    if (params[0] !== undefined) return one(params[0]);
    const rows = (connected: boolean) => {
      const w = rowWindow(
        connected ? 'connected' : 'disconnected',
        items('frameworks').filter((f) => f.connected === connected),
      );
      return {
        more: w.more,
        cells: w.rows.map((f) => [
          link(`frameworks/${encodeURIComponent(str(f, 'id'))}`, str(f, 'name') || str(f, 'id')),
          str(f, 'user') || '—',
          list(f, 'roles').join(', '),
          num(f, 'tasks'),
          quantities(rec(f, 'allocated')),
          `${(num(f, 'share') * 100).toFixed(1)} %`,
        ]),
      };
    };
    const [on, off] = [rows(true), rows(false)];
    const head = ['Name', 'User', 'Roles', 'Running tasks', 'Resources', 'Dominant share'];
    return h(
      'div',
      {},
      h('h3', {}, 'Connected'),
      table('Connected frameworks', head, on.cells, 'No connected frameworks.'),
      on.more,
      h('h3', {}, 'Disconnected (within their failover timeout)'),
      table('Disconnected frameworks', head, off.cells, 'None.'),
      off.more,
      h('h3', {}, 'Completed'),
      table(
        'Completed frameworks',
        ['Name', 'User', 'Roles', 'Tasks', 'Registered', 'Completed', 'Why'],
        [...items('completed')]
          .sort((a, b) => num(b, 'removedAt') - num(a, 'removedAt'))
          .map((c) => [
            link(`frameworks/${encodeURIComponent(str(c, 'id'))}`, str(c, 'name') || str(c, 'id')),
            str(c, 'user') || '—',
            list(c, 'roles').join(', '),
            num(c, 'tasks'),
            when(c.registeredAt),
            when(c.removedAt),
            str(c, 'reason'),
          ]),
        'None: no framework has been torn down or timed out since the controller started.',
      ),
    );
  },
};
