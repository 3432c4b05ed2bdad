/** Offers outstanding: which framework holds which agent's resources, and for how long. */
import { age, h, link, table } from '../dom.js';
import { item, items, num, str } from '../model.js';
import type { Page } from '../page.js';
import { rowWindow } from '../window.js';

/** The Offers page. */
export const offersPage: Page = {
  title: 'Offers',
  ticking: true,
  uses: ['offers', 'frameworks', 'agents'],
  live: () => {
    // One offer per agent at most: 1,000 rows, redrawn each second for their ages.
    const { rows, more } = rowWindow('offers', items('offers'));
    const t = table(
      'Outstanding offers',
      ['Offer', 'Framework', 'Agent', 'Role', 'Resources', 'Age'],
      rows.map((o) => [
        str(o, 'id'),
        link(
          `frameworks/${encodeURIComponent(str(o, 'frameworkId'))}`,
          str(item('frameworks', str(o, 'frameworkId')), 'name') || str(o, 'frameworkId'),
        ),
        str(item('agents', str(o, 'agentId')), 'hostname') || str(o, 'agentId'),
        str(o, 'role'),
        str(o, 'resources'),
        num(o, 'since') > 0 ? age(num(o, 'since')) : '—',
      ]),
      'No offers outstanding.',
    );
    return h('div', {}, t, more);
  },
};
