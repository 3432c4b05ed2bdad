import type { Page } from 'playwright-core';

/**
 * Where a first render's time went, read in the page after it: the page's own marks
 * (`mezzo:stream-open`, `snapshot-received`, `snapshot-parsed`, `snapshot-applied`,
 * `app-boot`, `snapshot-drawn`; src/webui/) and when the last module the shell asked for
 * before booting arrived (`modules-loaded`), each in ms since navigation start.
 */
export const FIRST_RENDER_STEPS = `(() => {
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('mezzo:'));
  const boot = marks.find((m) => m.name === 'mezzo:app-boot')?.startTime ?? Infinity;
  const modules = performance.getEntriesByType('resource')
    .filter((r) => r.name.includes('/ui/') && r.startTime < boot)
    .map((r) => r.responseEnd);
  return [...marks.map((m) => [m.name.slice(6), m.startTime]), ['modules-loaded', Math.max(0, ...modules)]];
})()`;

/**
 * Times a navigation to `#/<route>` until the page named by its first part is drawn (a
 * page whose module is not loaded yet is drawn when it is) and the next frame.
 */
export function navigate(page: Page, route: string): Promise<number> {
  const key = route.split('/')[0] ?? '';
  // A page built before main.dataset.page was set draws its pages at once.
  return page.evaluate<number>(`(async () => { const t = performance.now();
    const main = document.getElementById('main');
    const tracked = main?.dataset.page !== undefined;
    location.hash = ${JSON.stringify(`#/${route}`)};
    while (tracked && main?.dataset.page !== ${JSON.stringify(key)})
      await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t; })()`);
}

/** Runs `script` in the page and times it to the next frame. */
export function timed(page: Page, script: string): Promise<number> {
  return page.evaluate<number>(`(async () => { const t = performance.now(); ${script};
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t; })()`);
}

/** Median and worst of `xs`, to 0.1 ms. */
export function stats(xs: number[]): { median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number | undefined) => Math.round((x ?? 0) * 10) / 10;
  return { median: r(s[Math.floor(s.length / 2)]), max: r(s[s.length - 1]) };
}

/** The interactions both render benches time, each `repeat` times, by their JSON names. */
export interface Interactions {
  navigationMs: Record<string, { median: number; max: number }>;
  tasksFilterKeystrokeMs: { median: number; max: number };
  tasksRedrawPerDeltaMs: { median: number; max: number };
  openOneTaskMs: { median: number; max: number };
}

/**
 * On a page already showing the snapshot: each of `pages` reached from the Overview, a
 * few keystrokes in the Tasks filter, a redraw as a delta causes one, and the task
 * `taskId` opened from the Tasks page.
 */
export async function interactions(
  page: Page,
  pages: readonly string[],
  repeat: number,
  taskId: string,
): Promise<Interactions> {
  const navigationMs: Interactions['navigationMs'] = {};
  for (const p of pages) {
    const xs: number[] = [];
    for (let r = 0; r < repeat; r++) {
      await navigate(page, 'overview');
      xs.push(await navigate(page, p));
    }
    navigationMs[p] = stats(xs);
  }
  await navigate(page, 'tasks');
  const filter: number[] = [];
  for (const text of ['b1', 'b17', 'b17-', 'b17-t4', '']) {
    filter.push(
      await timed(
        page,
        `const i = document.querySelector('#task-filter'); i.value = ${JSON.stringify(text)}; i.dispatchEvent(new Event('input'))`,
      ),
    );
  }
  const redraw: number[] = [];
  for (let r = 0; r < repeat; r++) {
    redraw.push(await timed(page, `window.dispatchEvent(new Event('mezzo:redraw'))`));
  }
  const open: number[] = [];
  for (let r = 0; r < repeat; r++) {
    await navigate(page, 'tasks');
    open.push(await navigate(page, `tasks/${encodeURIComponent(taskId)}`));
  }
  return {
    navigationMs,
    tasksFilterKeystrokeMs: stats(filter),
    tasksRedrawPerDeltaMs: stats(redraw),
    openOneTaskMs: stats(open),
  };
}
