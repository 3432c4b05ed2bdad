/**
 * Forms that write through POST /apply: labelled fields, each with a place for the API's
 * error about it, and the request's outcome shown next to the submit button.
 */
import { call, isRecord, type ApiFailure } from './api.js';
import { h } from './dom.js';

/** One field: its key (as errors name it), label, and input attributes. */
export interface FieldSpec {
  key: string;
  label: string;
  attrs: Record<string, string | number | boolean>;
  wide?: boolean;
  /** A <select multiple> of these options instead of an input. */
  options?: string[];
  textarea?: boolean;
}

/** A built form: its element, and the values of its fields. */
export interface BuiltForm {
  form: HTMLFormElement;
  value(key: string): string;
  values(key: string): string[];
  /** Replaces a select's options, keeping what was selected. */
  setOptions(key: string, options: string[]): void;
}

/** The API's messages: per object result errors of a 422, or the message. */
function messages(r: ApiFailure): string[] {
  const results =
    isRecord(r.details) && Array.isArray(r.details.results) ? (r.details.results as unknown[]) : [];
  const out: string[] = [];
  for (const res of results) {
    if (!isRecord(res) || res.ok === true) continue;
    if (Array.isArray(res.errors)) {
      for (const e of res.errors) if (typeof e === 'string') out.push(e);
    } else if (typeof res.error === 'string') out.push(res.error);
  }
  return out.length > 0 ? out : [r.message];
}

/**
 * A form of `fields`; on submit, `build` makes the objects to apply (or a message to
 * show), and each error the API returns is shown under the field it names.
 */
export function applyForm(
  id: string,
  title: string,
  fields: FieldSpec[],
  build: (f: BuiltForm) => unknown[] | string,
  done: () => void,
): BuiltForm {
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const outcome = h('span', { class: 'field-error', role: 'status', id: `${id}-outcome` });
  const form = h('form', { class: 'panel', id, 'aria-label': title, novalidate: true });
  for (const f of fields) {
    const err = h('span', {
      class: 'field-error',
      id: `${id}-${f.key}-error`,
      'data-error-for': f.key,
    });
    errors.set(f.key, err);
    const attrs = {
      ...f.attrs,
      name: f.key,
      id: `${id}-${f.key}`,
      'aria-describedby': `${id}-${f.key}-error`,
    };
    const input = f.options
      ? h(
          'select',
          { ...attrs, multiple: true },
          ...f.options.map((o) => h('option', { value: o }, o)),
        )
      : f.textarea
        ? h('textarea', attrs)
        : h('input', attrs);
    inputs.set(f.key, input);
    form.append(h('label', { class: f.wide ? 'wide' : undefined }, f.label, input, err));
  }
  form.append(
    h(
      'div',
      { class: 'actions wide' },
      h('button', { type: 'submit', class: 'primary' }, title),
      outcome,
    ),
  );
  const built: BuiltForm = {
    form,
    value: (key) => inputs.get(key)?.value.trim() ?? '',
    values: (key) => {
      const el = inputs.get(key);
      return el instanceof HTMLSelectElement ? [...el.selectedOptions].map((o) => o.value) : [];
    },
    setOptions: (key, options) => {
      const el = inputs.get(key);
      if (!(el instanceof HTMLSelectElement)) return;
      const chosen = new Set(built.values(key));
      if ([...el.options].map((o) => o.value).join('\n') === options.join('\n')) return;
      el.replaceChildren(
        ...options.map((o) => h('option', { value: o, selected: chosen.has(o) }, o)),
      );
    },
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const el of errors.values()) el.textContent = '';
    const objects = build(built);
    if (typeof objects === 'string') {
      outcome.textContent = objects;
      return;
    }
    outcome.textContent = 'Applying…';
    void call('POST', '/apply', objects).then((r) => {
      if (r.ok) {
        outcome.textContent = 'Applied.';
        form.reset();
        done();
        return;
      }
      const general: string[] = [];
      for (const m of messages(r)) {
        const field = fields.find((f) =>
          new RegExp(`(^|[^a-zA-Z])(spec\\.|metadata\\.)?${f.key}([^a-zA-Z]|$)`).test(m),
        );
        const el = field && errors.get(field.key);
        if (el) el.textContent = el.textContent ? `${el.textContent}; ${m}` : m;
        else general.push(m);
      }
      outcome.textContent =
        general.length > 0 ? general.join('; ') : 'Rejected: see the fields above.';
    });
  });
  return built;
}
