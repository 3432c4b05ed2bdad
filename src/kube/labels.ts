/**
 * Kubernetes label rules, so that what frameworks put in a TaskInfo's labels can be
 * copied onto Task objects (and selected with `kubectl get tasks -l`) when, and only
 * when, the apiserver would accept them.
 */

// A qualified name with an optional DNS-subdomain prefix: `mezzo.dev/app-name`, `tier`.
const KEY =
  /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Whether `key: value` is a label Kubernetes accepts. */
export function isValidLabel(key: string, value: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = key.slice(slash + 1);
  return (
    KEY.test(key) &&
    prefix.length <= 253 &&
    name.length <= 63 &&
    VALUE.test(value) &&
    value.length <= 63
  );
}

/** The labels of `labels` that Kubernetes accepts; the rest are dropped. */
export function validLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k, v]) => isValidLabel(k, v)));
}

/** A string made safe as a label value (63 chars of [A-Za-z0-9._-], alphanumeric ends). */
export function labelValue(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
