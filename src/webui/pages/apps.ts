/**
 * Apps (Marathon): instances running, healthy and staged, deployments in progress, why an
 * app waits; scale, restart and destroy; the New Application form. `#/apps/NS/NAME` shows
 * one app with its tasks.
 */
import { call } from '../api.js';
import { applyForm } from '../form.js';
import { h, link, table } from '../dom.js';
import { item, items, num, rec, str, type Item } from '../model.js';
import type { Page } from '../page.js';
import { requestRedraw, TASK_HEAD, taskRows } from './tasks.js';

const API_VERSION = 'mezzo.dev/v1alpha1';

function key(a: Item): string {
  return `${str(a, 'namespace') || 'default'}/${str(a, 'name')}`;
}

/** Re-applies an app with a changed spec. */
function reapply(a: Item, spec: Record<string, unknown>, note: HTMLElement): void {
  const obj = {
    apiVersion: API_VERSION,
    kind: 'App',
    metadata: { name: str(a, 'name'), namespace: str(a, 'namespace') || 'default' },
    spec: { ...rec(a, 'spec'), ...spec },
  };
  note.textContent = '…';
  void call('POST', '/apply', [obj]).then((r) => {
    note.textContent = r.ok ? 'Applied.' : r.message;
  });
}

const pendingDestroy = new Set<string>();
/** Instances typed into a scale box, kept across redraws until applied. */
const drafts = new Map<string, string>();

function actions(a: Item): HTMLElement {
  const note = h('span', { class: 'field-error', role: 'status' });
  const name = str(a, 'name');
  const k = key(a);
  const scale = h('input', {
    type: 'number',
    min: 0,
    max: 10000,
    id: `scale-${k}`,
    value: drafts.get(k) ?? num(rec(a, 'spec'), 'instances'),
    'aria-label': `Instances of ${name}`,
    'data-scale': name,
    oninput: () => drafts.set(k, scale.value),
  });
  return h(
    'div',
    { class: 'actions' },
    scale,
    h(
      'button',
      {
        type: 'button',
        id: `scale-button-${k}`,
        'data-action': 'scale',
        onclick: () => {
          drafts.delete(k);
          reapply(a, { instances: Number(scale.value) }, note);
        },
      },
      'Scale',
    ),
    h(
      'button',
      {
        type: 'button',
        id: `restart-${k}`,
        'data-action': 'restart',
        // A changed label is a new spec version: the app rolls its instances.
        onclick: () =>
          reapply(
            a,
            { labels: { ...rec(rec(a, 'spec'), 'labels'), restartedAt: String(Date.now()) } },
            note,
          ),
      },
      'Restart',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        id: `destroy-${k}`,
        'data-action': 'destroy',
        onclick: () => {
          if (!pendingDestroy.has(k)) {
            pendingDestroy.add(k);
            requestRedraw();
            return;
          }
          pendingDestroy.delete(k);
          const ns = encodeURIComponent(str(a, 'namespace') || 'default');
          void call(
            'DELETE',
            `/objects?kind=App&name=${encodeURIComponent(name)}&namespace=${ns}`,
          ).then((r) => {
            note.textContent = r.ok ? 'Destroying.' : r.message;
          });
        },
      },
      pendingDestroy.has(k) ? 'Confirm destroy' : 'Destroy',
    ),
    note,
  );
}

function tasksOf(a: Item): Item[] {
  const prefix = `${str(a, 'namespace') || 'default'}.${str(a, 'name')}.`;
  return items('tasks').filter((t) => str(t, 'id').startsWith(prefix));
}

function one(ns: string, name: string): Node {
  const a = item('apps', `${ns}/${name}`);
  if (!a) return h('p', { class: 'empty' }, `No app ${ns}/${name}.`);
  const status = rec(a, 'status');
  return h(
    'div',
    {},
    h(
      'p',
      {},
      `${num(status, 'instances')} of ${num(rec(a, 'spec'), 'instances')} running, ${num(status, 'healthy')} healthy, ${num(status, 'staged')} staged`,
    ),
    str(status, 'unplacedReason')
      ? h('p', { class: 'field-error' }, `Waiting: ${str(status, 'unplacedReason')}`)
      : null,
    actions(a),
    h('h3', {}, 'Tasks'),
    table('Tasks of the app', TASK_HEAD, taskRows(tasksOf(a)), 'No tasks.'),
    h('h3', {}, 'Spec'),
    h('pre', { class: 'log' }, JSON.stringify(rec(a, 'spec'), null, 2)),
  );
}

/** The Apps page. */
export const appsPage: Page = {
  title: 'Apps',
  fixed: (params, slots) => {
    if (params.length > 0) return undefined;
    const f = applyForm(
      'new-app',
      'Create application',
      [
        {
          key: 'name',
          label: 'ID',
          attrs: { required: true, placeholder: 'web', autocomplete: 'off' },
        },
        {
          key: 'command',
          label: 'Command ($PORT is the first assigned port)',
          attrs: { required: true, placeholder: 'python3 -m http.server $PORT' },
          wide: true,
        },
        { key: 'cpus', label: 'CPUs', attrs: { type: 'number', step: 0.01, value: '0.1' } },
        { key: 'mem', label: 'Memory (MiB)', attrs: { type: 'number', step: 1, value: '64' } },
        { key: 'instances', label: 'Instances', attrs: { type: 'number', step: 1, value: '1' } },
        { key: 'uris', label: 'URIs (one per line)', attrs: {}, textarea: true, wide: true },
      ],
      (form) => {
        // Marathon's $PORT is the first port: $PORT0 here.
        const command = form
          .value('command')
          .replace(/\$PORT(?![0-9A-Za-z_])/g, '$PORT0')
          .replace(/\$\{PORT\}/g, '${PORT0}');
        const uris = form
          .value('uris')
          .split(/\s+/)
          .filter((u) => u !== '');
        const spec: Record<string, unknown> = {
          command,
          cpus: Number(form.value('cpus')),
          mem: `${form.value('mem')}Mi`,
          instances: Number(form.value('instances')),
        };
        if (/\$\{?PORT/.test(command)) spec.portDefinitions = [{ port: 0 }];
        if (uris.length > 0) spec.uris = uris.map((value) => ({ value }));
        return [
          {
            apiVersion: API_VERSION,
            kind: 'App',
            metadata: { name: form.value('name'), namespace: 'default' },
            spec,
          },
        ];
      },
      () => undefined,
    );
    slots.below.append(h('h3', {}, 'New application'), f.form);
    return undefined;
  },
  live: (params) => {
    if (params.length >= 2) return one(params[0] ?? '', params[1] ?? '');
    const apps = items('apps');
    return table(
      'Apps',
      ['App', 'Instances', 'Running', 'Healthy', 'Staged', 'Deployment', 'Waiting', 'Actions'],
      apps.map((a) => {
        const status = rec(a, 'status');
        return [
          link(`apps/${key(a).split('/').map(encodeURIComponent).join('/')}`, str(a, 'name')),
          num(rec(a, 'spec'), 'instances'),
          h('span', { 'data-running': str(a, 'name') }, String(num(status, 'instances'))),
          num(status, 'healthy'),
          num(status, 'staged'),
          str(rec(status, 'deployment'), 'id') ? 'in progress' : '—',
          str(status, 'unplacedReason') || (a.deleting === true ? 'being destroyed' : '—'),
          actions(a),
        ];
      }),
      'No apps yet: create one below.',
    );
  },
};
