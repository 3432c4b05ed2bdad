/** Agents: hostname, state, attributes, resources used of total. */
import { bar, fmt, h, table } from '../dom.js';
import { items, num, rec, str } from '../model.js';
import type { Page } from '../page.js';
import { rowWindow } from '../window.js';

/** The Agents page. */
export const agentsPage: Page = {
  title: 'Agents',
  uses: ['agents'],
  live: () => {
    const { rows, more } = rowWindow('agents', items('agents'));
    return h(
      'div',
      {},
      table(
        'Agents',
        [
          'Hostname',
          'State',
          'Attributes',
          'CPUs used / total',
          'Memory (MB) used / total',
          'Tasks',
        ],
        rows.map((a) => {
          const total = rec(a, 'total');
          const used = rec(a, 'allocated');
          const res = (name: string) =>
            h(
              'div',
              {},
              `${fmt(num(used, name))} / ${fmt(num(total, name))}`,
              bar(
                [[num(used, name), 'used', '']],
                num(total, name),
                `${name} ${fmt(num(used, name))} of ${fmt(num(total, name))}`,
              ),
            );
          return [
            h('span', { title: str(a, 'id') }, str(a, 'hostname')),
            str(a, 'state'),
            Object.entries(rec(a, 'attributes'))
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(', ') || '—',
            res('cpus'),
            res('mem'),
            num(a, 'tasks'),
          ];
        }),
        'No agents have registered.',
      ),
      more,
    );
  },
};
