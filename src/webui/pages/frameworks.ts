/** Frameworks: connected and disconnected ones, user, roles, tasks, resources, share. */
import { fmt, h, link, table, when } from '../dom.js';
import { item, items, list, num, rec, str } from '../model.js';
import type { Page } from '../page.js';
import { taskRows, TASK_HEAD } from './tasks.js';

/** "cpus 1 · mem 128" from a quantities record. */
export function quantities(q: Record<string, unknown>): string {
  const parts = Object.entries(q)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .map(([k, v]) => `${k} ${fmt(v)}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

function one(id: string): Node {
  const f = item('frameworks', id);
  if (!f)
    return h('p', { class: 'empty' }, `Framework ${id} is not registered (or has been removed).`);
  const tasks = items('tasks').filter((t) => t.frameworkId === id);
  return h(
    'div',
    {},
    h(
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
      h('dt', {}, 'Dominant share'),
      h('dd', {}, `${(num(f, 'share') * 100).toFixed(1)} %`),
    ),
    h('h3', {}, 'Tasks'),
    table('Tasks of the framework', TASK_HEAD, taskRows(tasks), 'No tasks.'),
  );
}

/** The Frameworks page; `#/frameworks/ID` shows one. */
export const frameworksPage: Page = {
  title: 'Frameworks',
  live: (params) => {
    if (params[0] !== undefined) return one(params[0]);
    const rows = (connected: boolean) =>
      items('frameworks')
        .filter((f) => f.connected === connected)
        .map((f) => [
          link(`frameworks/${encodeURIComponent(str(f, 'id'))}`, str(f, 'name') || str(f, 'id')),
          str(f, 'user') || '—',
          list(f, 'roles').join(', '),
          num(f, 'tasks'),
          quantities(rec(f, 'allocated')),
          `${(num(f, 'share') * 100).toFixed(1)} %`,
        ]);
    const head = ['Name', 'User', 'Roles', 'Running tasks', 'Resources', 'Dominant share'];
    return h(
      'div',
      {},
      h('h3', {}, 'Connected'),
      table('Connected frameworks', head, rows(true), 'No connected frameworks.'),
      h('h3', {}, 'Disconnected (within their failover timeout)'),
      table('Disconnected frameworks', head, rows(false), 'None.'),
    );
  },
};
