/**
 * ObjectMeta rules the apiserver applies to every custom resource (they are not in the
 * CRD's schema): names are DNS subdomains, namespaces DNS labels, label and annotation
 * keys qualified names, label values short and plain. Messages are apimachinery's own.
 */
import { fieldError, invalid, unknownField, type FieldError } from './field-error.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const whole = (re: string) => new RegExp(`^${re}$`);
const LABEL_RE = whole(DNS1123_LABEL);
const SUBDOMAIN_RE = whole(DNS1123_SUBDOMAIN);
const QUALIFIED_RE = whole(QUALIFIED_NAME);
const LABEL_VALUE_RE = whole(LABEL_VALUE);

/** Longest DNS subdomain (RFC 1123), so the longest object name. */
export const MAX_NAME_LENGTH = 253;
/** Longest label value and qualified-name part. */
export const MAX_LABEL_LENGTH = 63;
/** Annotations of one object may hold at most this many bytes of keys and values. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}
const maxLenError = (n: number) => `must be no more than ${n} characters`;

/** Why `value` is not a DNS-1123 subdomain (empty: it is one). */
export function dnsSubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_NAME_LENGTH) errs.push(maxLenError(MAX_NAME_LENGTH));
  if (!SUBDOMAIN_RE.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        'example.com',
      ),
    );
  }
  return errs;
}

/** Why `value` is not a DNS-1123 label (empty: it is one). */
export function dnsLabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LABEL_LENGTH) errs.push(maxLenError(MAX_LABEL_LENGTH));
  if (!LABEL_RE.test(value)) {
    errs.push(
      SUBDOMAIN_RE.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL,
            'my-name',
            '123-abc',
          ),
    );
  }
  return errs;
}

const QUALIFIED_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Why `value` is not a qualified name such as `mezzo.dev/app` (empty: it is one). */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  const errs: string[] = [];
  let name: string;
  if (parts.length === 1) name = parts[0] ?? '';
  else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dnsSubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > MAX_LABEL_LENGTH) errs.push(`name part ${maxLenError(MAX_LABEL_LENGTH)}`);
  if (!QUALIFIED_RE.test(name)) {
    errs.push(
      `name part ${regexError(QUALIFIED_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

/** Why `value` is not a label value (empty: it is one). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LABEL_LENGTH) errs.push(maxLenError(MAX_LABEL_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeError(field: string, expected: string, v: unknown): FieldError {
  const actual = jsonType(v);
  return fieldError(
    field,
    'Invalid value',
    { kind: 'value', value: actual },
    `${field} in body must be of type ${expected}: "${actual}"`,
    true,
  );
}

function stringMap(v: unknown, field: string, errs: FieldError[]): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    errs.push(typeError(field, 'object', v));
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') Object.defineProperty(out, k, { value: x, enumerable: true });
    else errs.push(typeError(`${field}.${k}`, 'string', x));
  }
  return out;
}

/**
 * ObjectMeta errors of an object being written: unknown fields (when `strict`; reported
 * alone, as the apiserver's strict decoding does), types, name, namespace, labels,
 * annotations, finalizers. `namespaced` says whether the kind needs a namespace.
 */
export function validateMetadata(given: unknown, namespaced: boolean, strict = true): FieldError[] {
  const metadata = given ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return [typeError('metadata', 'object', metadata)];
  }
  const m = metadata as Record<string, unknown>;
  const unknown = Object.keys(m).filter((k) => !KNOWN_FIELDS.has(k));
  if (strict && unknown.length > 0) return unknown.map((k) => unknownField(`metadata.${k}`));
  const errs: FieldError[] = [];
  const name = m['name'];
  if (name === undefined || name === '') {
    errs.push(
      fieldError(
        'metadata.name',
        'Required value',
        { kind: 'omit' },
        'name or generateName is required',
      ),
    );
  } else if (typeof name !== 'string') errs.push(typeError('metadata.name', 'string', name));
  else for (const msg of dnsSubdomainErrors(name)) errs.push(invalid('metadata.name', name, msg));
  const ns = m['namespace'];
  if (namespaced && ns !== undefined) {
    if (typeof ns !== 'string') errs.push(typeError('metadata.namespace', 'string', ns));
    else for (const msg of dnsLabelErrors(ns)) errs.push(invalid('metadata.namespace', ns, msg));
  }
  for (const [k, v] of Object.entries(stringMap(m['labels'], 'metadata.labels', errs))) {
    for (const msg of qualifiedNameErrors(k)) errs.push(invalid('metadata.labels', k, msg));
    for (const msg of labelValueErrors(v)) errs.push(invalid('metadata.labels', v, msg));
  }
  const annotations = stringMap(m['annotations'], 'metadata.annotations', errs);
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) {
      errs.push(invalid('metadata.annotations', k, msg));
    }
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    errs.push(
      fieldError(
        'metadata.annotations',
        'Too long',
        { kind: 'omit' },
        `may not be more than ${MAX_ANNOTATIONS_BYTES} bytes`,
        true,
      ),
    );
  }
  const finalizers = m['finalizers'];
  if (finalizers !== undefined) {
    if (!Array.isArray(finalizers))
      errs.push(typeError('metadata.finalizers', 'array', finalizers));
    else {
      for (const [i, f] of finalizers.entries()) {
        if (typeof f !== 'string') errs.push(typeError(`metadata.finalizers[${i}]`, 'string', f));
        else
          for (const msg of qualifiedNameErrors(f))
            errs.push(invalid('metadata.finalizers', f, msg));
      }
    }
  }
  return errs;
}
