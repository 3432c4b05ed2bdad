/**
 * Schedules (Chronos): TOTAL and FAILED counters, each job's last result and next run,
 * run now, the New Job form, and the dependency graph with each job's state.
 */
import { call } from '../api.js';
import { applyForm } from '../form.js';
import { h, statCard, table, when } from '../dom.js';
import { drawGraph } from '../graph.js';
import { items, list, num, onChange, rec, str, type Item } from '../model.js';
import type { Page } from '../page.js';

/** A job's state for the list and the graph: running, or its last run's result. */
function stateOf(s: Item): string {
  const status = rec(s, 'status');
  if (list(status, 'running').length > 0) return 'Running';
  const last = list(status, 'history')[0];
  return str(last, 'result') || 'Idle';
}

function lastResult(s: Item): string {
  const last = list(rec(s, 'status'), 'history')[0];
  if (!last) return '—';
  return `${str(last, 'result') || 'running'} ${when(str(last, 'finishedAt') || str(last, 'startedAt'))}`;
}

function parentsOf(s: Item): string[] {
  return list(rec(s, 'spec'), 'parents').filter((p): p is string => typeof p === 'string');
}

function runNow(s: Item, note: HTMLElement): void {
  const q = `/annotate?kind=Schedule&name=${encodeURIComponent(str(s, 'name'))}&namespace=${encodeURIComponent(str(s, 'namespace') || 'default')}`;
  note.textContent = '…';
  void call('POST', q, { 'mezzo.dev/run-now': new Date().toISOString() }).then((r) => {
    note.textContent = r.ok ? 'Run requested.' : r.message;
  });
}

/** The Schedules page. */
export const schedulesPage: Page = {
  title: 'Schedules',
  fixed: (_params, slots) => {
    const names = () => items('schedules').map((s) => str(s, 'name'));
    const f = applyForm(
      'new-job',
      'Create job',
      [
        {
          key: 'name',
          label: 'Name',
          attrs: { required: true, autocomplete: 'off', placeholder: 'nightly-report' },
        },
        {
          key: 'command',
          label: 'Command',
          attrs: { required: true, placeholder: 'echo hello' },
          wide: true,
        },
        {
          key: 'parents',
          label: 'Parents (runs after each succeeds)',
          attrs: {},
          options: names(),
        },
        { key: 'owner', label: 'Owner', attrs: { placeholder: 'team@example.com' } },
        {
          key: 'schedule',
          label: 'Schedule (R/2026-01-01T02:00:00Z/P1D or cron)',
          attrs: { placeholder: 'R/2026-01-01T00:00:00Z/PT1H' },
        },
        { key: 'epsilon', label: 'Epsilon (ISO 8601 duration)', attrs: { placeholder: 'PT15M' } },
      ],
      (form) => {
        const spec: Record<string, unknown> = {
          command: form.value('command'),
          cpus: 0.1,
          mem: '32Mi',
        };
        const parents = form.values('parents');
        if (parents.length > 0) spec.parents = parents;
        if (form.value('schedule')) spec.schedule = form.value('schedule');
        if (form.value('owner')) spec.owner = { name: form.value('owner') };
        if (form.value('epsilon')) spec.epsilon = form.value('epsilon');
        return [
          {
            apiVersion: 'mezzo.dev/v1alpha1',
            kind: 'Schedule',
            metadata: { name: form.value('name'), namespace: 'default' },
            spec,
          },
        ];
      },
      () => undefined,
    );
    slots.below.append(h('h3', {}, 'New job'), f.form);
    // The parents to choose from follow the jobs that exist.
    return onChange(() => {
      f.setOptions('parents', names());
    });
  },
  live: () => {
    const all = items('schedules');
    const failed = all.filter((s) => stateOf(s) === 'Failed').length;
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'cards' },
        statCard('TOTAL JOBS', String(all.length), 'total-jobs'),
        statCard('FAILED JOBS', String(failed), 'failed-jobs'),
      ),
      h('h3', {}, 'Jobs'),
      table(
        'Jobs',
        [
          'Job',
          'State',
          'Schedule / parents',
          'Last result',
          'Next run',
          'Succeeded / failed',
          'Owner',
          '',
        ],
        all.map((s) => {
          const status = rec(s, 'status');
          const spec = rec(s, 'spec');
          const note = h('span', { class: 'field-error', role: 'status' });
          return [
            str(s, 'name'),
            h('span', { 'data-job-state': str(s, 'name') }, stateOf(s)),
            str(spec, 'schedule') ||
              (parentsOf(s).length > 0 ? `after ${parentsOf(s).join(', ')}` : 'manual'),
            lastResult(s),
            when(str(status, 'nextRun') || undefined),
            `${num(status, 'successCount')} / ${num(status, 'errorCount')}`,
            str(rec(spec, 'owner'), 'name') || '—',
            h(
              'div',
              { class: 'actions' },
              h(
                'button',
                { type: 'button', id: `run-${str(s, 'name')}`, onclick: () => runNow(s, note) },
                'Run now',
              ),
              note,
            ),
          ];
        }),
        'No jobs yet: create one below.',
      ),
      h('h3', {}, 'Dependency graph'),
      all.length === 0
        ? h('p', { class: 'empty' }, 'No jobs.')
        : h(
            'div',
            { class: 'graph', id: 'graph' },
            drawGraph(
              all.map((s) => ({ name: str(s, 'name'), state: stateOf(s), parents: parentsOf(s) })),
            ),
          ),
    );
  },
};
