/** Overview: the controller's identity and the cluster's resource totals as bars. */
import { bar, fmt, h, link, statCard, when } from '../dom.js';
import { count as countOf, item, num, rec, size, str } from '../model.js';
import type { Page } from '../page.js';

function count(label: string, n: number, route: string): HTMLElement {
  return statCard(label, link(route, String(n)));
}

/** The Overview page. */
export const overviewPage: Page = {
  title: 'Overview',
  live: () => {
    const c = item('controller', 'controller');
    const totals = rec(c, 'totals');
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'cards' },
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'muted' }, 'Controller'),
          h('div', { id: 'controller-id' }, str(c, 'id') || '—'),
          h('div', {}, `version ${str(c, 'version') || '—'}`),
          h('div', { class: 'muted' }, `started ${when(c?.startedAt)}`),
          h('div', { class: 'muted' }, `elected ${when(c?.electedAt)}`),
        ),
        // Counted, not listed: listing sorts each collection (10,000 tasks) first.
        count('Frameworks', size('frameworks'), 'frameworks'),
        count('Agents', size('agents'), 'agents'),
        count(
          'Running tasks',
          countOf('tasks', (t) => t.state === 'TASK_RUNNING'),
          'tasks',
        ),
        count('Offers outstanding', size('offers'), 'offers'),
        count('Apps', size('apps'), 'apps'),
        count('Schedules', size('schedules'), 'schedules'),
      ),
      h('h3', {}, 'Resources'),
      h(
        'p',
        { class: 'legend muted' },
        h('span', { style: '--c:var(--used)' }, 'in use'),
        h('span', { style: '--c:var(--offered)' }, 'offered'),
        h('span', { style: '--c:var(--idle)' }, 'idle'),
      ),
      Object.keys(totals).length === 0
        ? h('p', { class: 'empty' }, 'No agent has registered yet.')
        : h(
            'div',
            { class: 'cards', id: 'totals' },
            ...Object.entries(totals).map(([name, t]) => {
              const total = num(t, 'total');
              const used = num(t, 'used');
              const offered = num(t, 'offered');
              const idle = num(t, 'idle');
              return h(
                'div',
                { class: 'card', 'data-resource': name },
                h('div', {}, h('strong', {}, name), ` total ${fmt(total)}`),
                bar(
                  [
                    [used, 'used', ''],
                    [offered, 'offered', ''],
                    [idle, 'idle', ''],
                  ],
                  total,
                  `${name}: ${fmt(used)} in use, ${fmt(offered)} offered, ${fmt(idle)} idle of ${fmt(total)}`,
                ),
                h(
                  'div',
                  { class: 'muted' },
                  `in use ${fmt(used)} · offered ${fmt(offered)} · idle ${fmt(idle)}`,
                ),
              );
            }),
          ),
    );
  },
};
