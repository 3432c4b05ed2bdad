/**
 * Roles: the role tree with weights, quota guarantee and limit, what each consumes, and
 * the live DRF dominant share of every role and of every framework in it — why a
 * framework gets offers or does not.
 */
import { bar, h, link, table } from '../dom.js';
import { item, items, list, num, rec, str } from '../model.js';
import type { Page } from '../page.js';
import { quantities } from './frameworks.js';

function text(q: Record<string, unknown>): string {
  const parts = Object.entries(q).map(
    ([k, v]) =>
      `${k} ${typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}`,
  );
  return parts.length > 0 ? parts.join(' · ') : '—';
}

function percent(share: number, label: string): HTMLElement {
  return h('div', {}, `${(share * 100).toFixed(1)} %`, bar([[share, 'used', '']], 1, label));
}

/** The Roles page. */
export const rolesPage: Page = {
  title: 'Roles',
  uses: ['roles', 'frameworks'],
  live: () => {
    const roles = items('roles');
    if (roles.length === 0)
      return h(
        'p',
        { class: 'empty' },
        'No roles yet: no framework has subscribed and no Role object exists.',
      );
    const rows = roles.map((r) => {
      const name = str(r, 'name');
      const quota = rec(r, 'quota');
      const fws = list(r, 'frameworks').filter((f): f is string => typeof f === 'string');
      return {
        depth: name.split('/').length - 1,
        cells: [
          h('span', { 'data-role': name }, name.split('/').pop() ?? name),
          String(num(r, 'weight') || 1),
          text(rec(quota, 'guarantee')),
          text(rec(quota, 'limit')),
          quantities(rec(r, 'consumed')),
          percent(num(r, 'share'), `dominant share of role ${name}`),
          h(
            'ul',
            {},
            ...fws.map((id) => {
              const f = item('frameworks', id);
              return h(
                'li',
                { 'data-framework': id, 'data-share': String(num(f, 'share')) },
                link(`frameworks/${encodeURIComponent(id)}`, str(f, 'name') || id),
                ` ${(num(f, 'share') * 100).toFixed(1)} %`,
              );
            }),
          ),
        ],
      };
    });
    const t = table(
      'Roles',
      [
        'Role',
        'Weight',
        'Quota guarantee',
        'Quota limit',
        'Consumed',
        'Dominant share',
        'Frameworks (share)',
      ],
      rows.map((r) => r.cells),
      '',
    );
    const trs = t.querySelectorAll('tbody tr');
    rows.forEach((r, i) => trs[i]?.classList.add(`role-depth-${Math.min(3, r.depth)}`));
    return h(
      'div',
      {},
      h(
        'p',
        { class: 'muted' },
        'Shares are dominant shares (DRF): the largest fraction of any one resource of the cluster held; a role with a larger weight may hold proportionally more before others are offered first.',
      ),
      t,
    );
  },
};
