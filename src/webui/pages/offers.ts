/** Offers outstanding: which framework holds which agent's resources, and for how long. */
import { age, link, table } from '../dom.js';
import { item, items, num, str } from '../model.js';
import type { Page } from '../page.js';

/** The Offers page. */
export const offersPage: Page = {
  title: 'Offers',
  ticking: true,
  live: () =>
    table(
      'Outstanding offers',
      ['Offer', 'Framework', 'Agent', 'Role', 'Resources', 'Age'],
      items('offers').map((o) => [
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
    ),
};
