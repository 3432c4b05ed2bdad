/**
 * Tasks: every task the controller knows, filterable; `#/tasks/ID` shows one task with
 * kill and its sandbox's stdout and stderr, tailed through GET /logs while the page is open.
 */
import { call, isRecord } from '../api.js';
import { badge, h, link, table, type Child } from '../dom.js';
import { item, items, str, type Item } from '../model.js';
import type { Page } from '../page.js';
import { rowWindow } from '../window.js';

/** Column titles of {@link taskRows}. */
export const TASK_HEAD = ['Task', 'Name', 'State', 'Agent', 'Resources'];

/** Table rows for tasks. */
export function taskRows(tasks: Item[]): Child[][] {
  return tasks.map((t) => [
    link(`tasks/${encodeURIComponent(str(t, 'id'))}`, str(t, 'id')),
    str(t, 'name'),
    badge(str(t, 'state')),
    str(item('agents', str(t, 'agentId')), 'hostname') || str(t, 'agentId'),
    str(t, 'resources'),
  ]);
}

let filter = '';

/**
 * Each task's text the filter searches, lower-cased once per version of the task (a
 * delta replaces the item, so a changed task gets a new key): a keystroke with 10,000
 * tasks then costs 10,000 `includes`, not 10,000 concatenations and lower-casings.
 */
const searchKeys = new WeakMap<Item, string>();

function searchKey(t: Item): string {
  let k = searchKeys.get(t);
  if (k === undefined) {
    k = `${str(t, 'id')} ${str(t, 'name')} ${str(t, 'state')}`.toLowerCase();
    searchKeys.set(t, k);
  }
  return k;
}

/** Asks the shell to redraw the live part (after a change made here, not by the stream). */
export function requestRedraw(): void {
  window.dispatchEvent(new Event('mezzo:redraw'));
}

function one(id: string): Node {
  const t = item('tasks', id);
  if (!t)
    return h('p', { class: 'empty' }, `Task ${id} is not known to the controller (any more).`);
  const note = h('span', { class: 'field-error', role: 'alert' });
  const state = str(t, 'state');
  const ended = !['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'].includes(state);
  return h(
    'div',
    {},
    h(
      'dl',
      {},
      h('dt', {}, 'ID'),
      h('dd', {}, id),
      h('dt', {}, 'State'),
      h('dd', { id: 'task-state' }, badge(state), ' ', str(t, 'reason'), ' ', str(t, 'message')),
      h('dt', {}, 'Framework'),
      h(
        'dd',
        {},
        link(`frameworks/${encodeURIComponent(str(t, 'frameworkId'))}`, str(t, 'frameworkId')),
      ),
      h('dt', {}, 'Agent'),
      h('dd', {}, str(item('agents', str(t, 'agentId')), 'hostname') || str(t, 'agentId')),
      h('dt', {}, 'Resources'),
      h('dd', {}, str(t, 'resources')),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          disabled: ended,
          onclick: () => {
            void call('POST', `/kill?task=${encodeURIComponent(id)}`).then((r) => {
              note.textContent = r.ok ? 'Kill sent.' : r.message;
            });
          },
        },
        'Kill task',
      ),
      note,
    ),
  );
}

/** The sandbox viewer: stdout or stderr of a task, followed while the page is open. */
function sandbox(id: string, root: HTMLElement): () => void {
  let file: 'stdout' | 'stderr' = 'stdout';
  let offset = 0;
  let timer: number | undefined;
  let stopped = false;
  const out = h('pre', {
    class: 'log',
    id: 'log',
    tabindex: 0,
    'aria-label': 'File contents',
    'aria-live': 'off',
  });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const follow = h('input', { type: 'checkbox', id: 'follow', checked: true });
  const tabs = (['stdout', 'stderr'] as const).map((f) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': f === file ? 'true' : 'false',
        'data-file': f,
        onclick: () => {
          file = f;
          offset = 0;
          out.textContent = '';
          for (const b of tabs)
            b.setAttribute('aria-pressed', b.dataset.file === f ? 'true' : 'false');
          void poll();
        },
      },
      f,
    ),
  );
  const encoder = new TextEncoder();
  const poll = async (): Promise<void> => {
    if (timer !== undefined) window.clearTimeout(timer);
    const want = file;
    const r = await call(
      'GET',
      `/logs?task=${encodeURIComponent(id)}&file=${want}&offset=${offset}`,
    );
    if (stopped || want !== file) return;
    if (r.ok && isRecord(r.value) && typeof r.value.data === 'string') {
      error.textContent = '';
      const start = typeof r.value.offset === 'number' ? r.value.offset : offset;
      offset = start + encoder.encode(r.value.data).length;
      if (r.value.data) {
        const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.append(r.value.data);
        if (atEnd) out.scrollTop = out.scrollHeight;
      }
      // A full slice means more is waiting: read on at once.
      if (r.value.eof === false) {
        void poll();
        return;
      }
    } else if (!r.ok) error.textContent = r.message;
    if (follow.checked) timer = window.setTimeout(() => void poll(), 1000);
  };
  follow.addEventListener('change', () => {
    if (follow.checked) void poll();
  });
  root.append(
    h('h3', {}, 'Sandbox'),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'File' },
      ...tabs,
      h('label', { style: 'flex-direction:row;align-items:center' }, follow, 'Follow (tail)'),
    ),
    error,
    out,
  );
  void poll();
  return () => {
    stopped = true;
    if (timer !== undefined) window.clearTimeout(timer);
  };
}

/** The Tasks page. */
export const tasksPage: Page = {
  title: 'Tasks',
  uses: ['tasks', 'agents'],
  fixed: (params, slots) => {
    if (params[0] !== undefined) return sandbox(params[0], slots.below);
    const input = h('input', {
      type: 'search',
      id: 'task-filter',
      placeholder: 'Filter by ID, name or state',
      'aria-label': 'Filter tasks',
      value: filter,
    });
    input.addEventListener('input', () => {
      filter = input.value;
      requestRedraw();
    });
    slots.above.append(h('p', {}, input));
    return undefined;
  },
  live: (params) => {
    if (params[0] !== undefined) return one(params[0]);
    const needle = filter.toLowerCase();
    const all = items('tasks');
    const shown = needle === '' ? all : all.filter((t) => searchKey(t).includes(needle));
    // Only the rows in the window are built: the cost of a redraw is theirs, not all tasks'.
    const { rows, more } = rowWindow('tasks', shown);
    return h('div', {}, table('Tasks', TASK_HEAD, taskRows(rows), 'No tasks.'), more);
  },
};
