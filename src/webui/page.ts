/** What a page of the dashboard is: a title, a static part built once, a live part redrawn. */

/** Where a page's fixed part may go: above or below the live part. */
export interface Slots {
  above: HTMLElement;
  below: HTMLElement;
}

/** One page. `params` are the route's parts after the page's name (`#/tasks/ID` → [ID]). */
export interface Page {
  title: string;
  /**
   * Built once per visit (forms, log viewers): never redrawn, so typing and focus survive
   * live updates. Returns a cleanup for timers it started.
   */
  fixed?: (params: string[], slots: Slots) => (() => void) | undefined;
  /** Redrawn after every change the stream brings (to {@link Page.uses}, when given). */
  live: (params: string[]) => Node;
  /**
   * The collections the live part shows: a change to any other does not redraw it (with
   * 10,000 tasks, the Agents page need not be rebuilt each time a task changes).
   * Undefined: every change redraws.
   */
  uses?: readonly string[];
  /** Redraw every second as well (ages). */
  ticking?: boolean;
}
