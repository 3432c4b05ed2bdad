/**
 * The dashboard's entry: the header (navigation, stream status, theme toggle), hash
 * routing (`#/apps/default/web` — every object has a URL) and the live redraw.
 */
import { adoptToken, follow } from './api.js';
import { h } from './dom.js';
import { applyEvent, onChange } from './model.js';
import type { Page } from './page.js';
import { resetWindows } from './window.js';
import { STYLE_SHEET } from './styles.js';
import { overviewPage } from './pages/overview.js';
import { frameworksPage } from './pages/frameworks.js';
import { agentsPage } from './pages/agents.js';
import { tasksPage } from './pages/tasks.js';
import { rolesPage } from './pages/roles.js';
import { offersPage } from './pages/offers.js';
import { appsPage } from './pages/apps.js';
import { schedulesPage } from './pages/schedules.js';

const PAGES: Record<string, Page> = {
  overview: overviewPage,
  frameworks: frameworksPage,
  agents: agentsPage,
  tasks: tasksPage,
  roles: rolesPage,
  offers: offersPage,
  apps: appsPage,
  schedules: schedulesPage,
};

const THEME_KEY = 'mezzo.theme';

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
}

function boot(): void {
  adoptToken();
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
  const route = () => {
    const parts = location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const key = parts[0] && PAGES[parts[0]] ? parts[0] : 'overview';
    const page = PAGES[key] ?? overviewPage;
    cleanup?.();
    resetWindows();
    current = { page, params: parts.slice(1) };
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.page === key) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${page.title} · Mezzo`;
    const above = h('div', { class: 'fixed' });
    const below = h('div', { class: 'fixed' });
    liveBox = h('div');
    main.replaceChildren(h('h2', {}, page.title), above, liveBox, below);
    cleanup = page.fixed?.(current.params, { above, below });
    redraw();
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
    });
  });
  setInterval(() => {
    if (current?.page.ticking) redraw();
  }, 1000);
  window.addEventListener('hashchange', route);
  // A page's own controls (a filter) ask for a redraw this way.
  window.addEventListener('mezzo:redraw', redraw);
  route();
  void follow(
    applyEvent,
    (s) => {
      status.textContent = s;
      status.className = `status ${s}`;
    },
    new AbortController().signal,
  );
}

boot();
