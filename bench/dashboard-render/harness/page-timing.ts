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
