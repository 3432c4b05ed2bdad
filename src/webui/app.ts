/**
 * The dashboard's shell: the header (navigation, stream status, theme toggle), hash
 * routing (`#/apps/default/web` — every object has a URL) and the live redraw. Only the
 * Overview's module is imported up front; every other page is imported when first
 * visited, and all of them once the first snapshot is drawn, so a first render waits for
 * the modules it shows and later navigations find theirs loaded.
 */
import { h } from './dom.js';
import { item, onChange, onStatus, warm } from './model.js';
import type { Page } from './page.js';
import { resetWindows } from './window.js';
import { STYLE_SHEET } from './styles.js';
import { overviewPage } from './pages/overview.js';

/** A page of the navigation: its title, and how to get its module. */
interface PageEntry {
  title: string;
  load: () => Promise<Page>;
}

const PAGES: Record<string, PageEntry> = {
  overview: { title: 'Overview', load: () => Promise.resolve(overviewPage) },
  frameworks: {
    title: 'Frameworks',
    load: async () => (await import('./pages/frameworks.js')).frameworksPage,
  },
  agents: { title: 'Agents', load: async () => (await import('./pages/agents.js')).agentsPage },
  tasks: { title: 'Tasks', load: async () => (await import('./pages/tasks.js')).tasksPage },
  roles: { title: 'Roles', load: async () => (await import('./pages/roles.js')).rolesPage },
  offers: { title: 'Offers', load: async () => (await import('./pages/offers.js')).offersPage },
  apps: { title: 'Apps', load: async () => (await import('./pages/apps.js')).appsPage },
  schedules: {
    title: 'Schedules',
    load: async () => (await import('./pages/schedules.js')).schedulesPage,
  },
};

/** Pages whose module has loaded, by key. */
const loaded = new Map<string, Page>([['overview', overviewPage]]);

const THEME_KEY = 'mezzo.theme';

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
}

/** Builds the page around the stream main.ts has already started. */
export function boot(): void {
  performance.mark('mezzo:app-boot');
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLE_SHEET);
  document.adoptedStyleSheets = [sheet];
  const preferred = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  applyTheme(localStorage.getItem(THEME_KEY) ?? preferred);

  const status = h('span', { class: 'status', role: 'status', id: 'stream-status' }, 'connecting');
  const themeButton = h(
    'button',
    {
      type: 'button',
      id: 'theme',
      'aria-label': 'Switch light/dark theme',
      onclick: () => {
        const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
        localStorage.setItem(THEME_KEY, next);
        applyTheme(next);
      },
    },
    '◐ Theme',
  );
  const nav = h(
    'nav',
    { 'aria-label': 'Pages' },
    ...Object.entries(PAGES).map(([key, p]) =>
      h('a', { href: `#/${key}`, 'data-page': key }, p.title),
    ),
  );
  const main = h('main', { id: 'main' });
  const app = document.getElementById('app') ?? document.body;
  app.append(h('header', {}, h('h1', {}, 'Mezzo'), nav, status, themeButton), main);

  let liveBox = h('div');
  let cleanup: (() => void) | undefined;
  let current: { page: Page; params: string[] } | undefined;

  const redraw = () => {
    if (!current) return;
    // Keyboard focus survives a redraw: the same control (by ID, or a link by target)
    // has it afterwards.
    const active = document.activeElement;
    const focusKey =
      active && liveBox.contains(active)
        ? active.id
          ? `#${CSS.escape(active.id)}`
          : active instanceof HTMLAnchorElement
            ? `a[href="${CSS.escape(active.getAttribute('href') ?? '')}"]`
            : ''
        : '';
    const next = h('div', { class: 'live' }, current.page.live(current.params));
    liveBox.replaceWith(next);
    liveBox = next;
    if (focusKey) next.querySelector<HTMLElement>(focusKey)?.focus();
  };
  // Once the first snapshot is drawn: imports every page's module and sorts the large
  // collections, in the background, so the first visit to a page finds both done.
  let prefetched = false;
  const prefetch = () => {
    if (prefetched || !item('controller', 'controller')) return;
    prefetched = true;
    performance.mark('mezzo:snapshot-drawn');
    setTimeout(() => {
      for (const [key, entry] of Object.entries(PAGES))
        if (!loaded.has(key)) void entry.load().then((p) => loaded.set(key, p), noop);
      warm();
    }, 0);
  };
  const show = (key: string, page: Page, params: string[]) => {
    current = { page, params };
    const above = h('div', { class: 'fixed' });
    const below = h('div', { class: 'fixed' });
    liveBox = h('div');
    main.replaceChildren(h('h2', {}, page.title), above, liveBox, below);
    cleanup = page.fixed?.(current.params, { above, below });
    redraw();
    // Which page is drawn: a page whose module was still loading is not yet.
    main.dataset.page = key;
  };
  // Counts navigations, so a module that loads after the user moved on is not shown.
  let routes = 0;
  const route = () => {
    const parts = location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const key = parts[0] && PAGES[parts[0]] ? parts[0] : 'overview';
    const entry = PAGES[key] ?? {
      title: overviewPage.title,
      load: () => Promise.resolve(overviewPage),
    };
    cleanup?.();
    cleanup = undefined;
    current = undefined;
    resetWindows();
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${entry.title} · Mezzo`;
    const params = parts.slice(1);
    const page = loaded.get(key);
    if (page) {
      show(key, page, params);
      return;
    }
    const seq = ++routes;
    delete main.dataset.page;
    main.replaceChildren(h('h2', {}, entry.title), h('p', { class: 'muted' }, 'Loading…'));
    entry.load().then(
      (p) => {
        loaded.set(key, p);
        if (seq === routes) show(key, p, params);
      },
      (err: unknown) => {
        if (seq === routes)
          main.replaceChildren(
            h('h2', {}, entry.title),
            h(
              'p',
              { class: 'field-error', role: 'alert' },
              `The page failed to load: ${String(err)}`,
            ),
          );
      },
    );
  };
  // Changes are gathered until the next frame; the page is redrawn once, and only if
  // one of them is to a collection it shows.
  let pending: Set<string> | undefined;
  onChange((changed) => {
    if (pending) {
      for (const c of changed) pending.add(c);
      return;
    }
    pending = new Set(changed);
    requestAnimationFrame(() => {
      const names = pending ?? new Set<string>();
      pending = undefined;
      const uses = current?.page.uses;
      if (!uses || uses.some((c) => names.has(c))) redraw();
      prefetch();
    });
  });
  setInterval(() => {
    if (current?.page.ticking) redraw();
  }, 1000);
  window.addEventListener('hashchange', route);
  // A page's own controls (a filter) ask for a redraw this way.
  window.addEventListener('mezzo:redraw', redraw);
  route();
  prefetch();
  onStatus((s) => {
    status.textContent = s;
    status.className = `status ${s}`;
  });
}

function noop(): void {
  // A page whose background import failed is imported again when visited.
}
