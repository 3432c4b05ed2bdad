/**
 * Long tables show a window of rows: the first {@link ROW_WINDOW} (more on request), with
 * a line saying how many there are. With 10,000 tasks, building and laying out every row
 * on each stream delta would cost the page about a second per redraw; a window keeps the
 * cost of a redraw that of the rows shown (bench/dashboard-render measures it). 50, not
 * 200: a 1,000-row Offers table took 750–980 ms to draw on the loaded bench machine and
 * 200 rows of Agents up to 314 ms; 50 rows fill a 1280×900 screen and more.
 */
import { h } from './dom.js';

/** Rows shown at first, and added by each "Show more". */
export const ROW_WINDOW = 50;

/** How many rows each table (by key) shows now; reset when the page is left. */
const shownBy = new Map<string, number>();

/**
 * The rows of `all` to build now, and the line under the table (undefined when all are
 * shown). `key` names the table (its button's ID is `more-<key>`, so a redraw keeps its
 * focus).
 */
export function rowWindow<T>(key: string, all: readonly T[]): { rows: T[]; more?: HTMLElement } {
  const limit = shownBy.get(key) ?? ROW_WINDOW;
  if (all.length <= limit) return { rows: [...all] };
  return {
    rows: all.slice(0, limit),
    more: h(
      'p',
      { class: 'muted', 'data-window': key },
      `Showing ${limit} of ${all.length}; filter to narrow, or `,
      h(
        'button',
        {
          type: 'button',
          id: `more-${key}`,
          onclick: () => {
            shownBy.set(key, limit + ROW_WINDOW);
            window.dispatchEvent(new Event('mezzo:redraw'));
          },
        },
        `Show ${Math.min(ROW_WINDOW, all.length - limit)} more`,
      ),
    ),
  };
}

/** Forgets every table's "show more" (a new page visit starts with the first window). */
export function resetWindows(): void {
  shownBy.clear();
}
