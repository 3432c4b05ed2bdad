/**
 * Mesos' wire formats for the v1 HTTP APIs: a message is read from `application/json`
 * (Mesos' JSON: proto field names, enums by name — or by number, bytes in base64) or from
 * `application/x-protobuf` (Mesos' own messages, proto/mesos/v1/), and checked against
 * the message definitions field by field, so that what the adapter reads afterwards has
 * the declared shape. Unknown fields are ignored and a JSON null is an unset field, as
 * in Mesos' parser; a value of the wrong type, an unknown enum value or a missing
 * required field is refused. Both formats end in the same canonical object: JSON with enums as names, bytes as
 * base64 and 64-bit integers as numbers.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { protoDir } from '../../shared/proto.js';

/** The two body formats of Mesos' HTTP APIs. */
export type WireFormat = 'json' | 'protobuf';

/** Content types of the two formats. */
export const CONTENT_TYPES: Readonly<Record<WireFormat, string>> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

/** A body that is not a valid message: the reason, for a 400. */
export class MalformedMessage extends Error {
  override readonly name = 'MalformedMessage';
}

let root: protobuf.Root | undefined;

function mesosRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) => join(protoDir(), target);
    r.loadSync('mesos/v1/scheduler/scheduler.proto', { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** A message type by its full name (e.g. `mesos.v1.scheduler.Call`). */
export function messageType(name: string): protobuf.Type {
  return mesosRoot().lookupType(name);
}

/** Which format a Content-Type (or Accept) header names, if either. */
export function formatOf(header: string | undefined): WireFormat | undefined {
  const mime = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mime === CONTENT_TYPES.json) return 'json';
  if (mime === CONTENT_TYPES.protobuf) return 'protobuf';
  return undefined;
}

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarValue(field: protobuf.FieldBase, v: unknown, path: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return canonical(t, v, path);
  if (t instanceof protobuf.Enum) {
    if (typeof v === 'string' && v in t.values) return v;
    if (typeof v === 'number' && Number.isInteger(v) && t.valuesById[v] !== undefined)
      return t.valuesById[v];
    throw new MalformedMessage(`${path}: ${JSON.stringify(v)} is not a value of ${t.name}`);
  }
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') throw new MalformedMessage(`${path}: a string expected`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new MalformedMessage(`${path}: a boolean expected`);
      return v;
    case 'double':
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new MalformedMessage(`${path}: a finite number expected`);
      return v;
    case 'bytes':
      if (typeof v !== 'string' || !BASE64.test(v))
        throw new MalformedMessage(`${path}: base64 bytes expected`);
      return v;
    default: {
      const range = INT_RANGES[field.type];
      if (!range) throw new MalformedMessage(`${path}: unsupported field type ${field.type}`);
      // 64-bit integers may come as decimal strings (proto3 JSON writes them so).
      const n = typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < range[0] || n > range[1])
        throw new MalformedMessage(`${path}: an integer of type ${field.type} expected`);
      return n;
    }
  }
}

/** Checks a value against a message type; returns its canonical copy. Throws MalformedMessage. */
function canonical(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new MalformedMessage(`${path || type.name}: an object expected`);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    // Mesos' JSON parser (stout) reads null as an unset field, and Go's encoding/json
    // writes null for every nil slice, map or pointer a Mesos library leaves empty.
    if (!field || v === undefined || v === null) continue;
    const at = path ? `${path}.${key}` : key;
    if (field.map) {
      if (!isObject(v)) throw new MalformedMessage(`${at}: an object (map) expected`);
      const m: Record<string, unknown> = {};
      for (const [k, mv] of Object.entries(v))
        if (mv !== null) m[k] = scalarValue(field, mv, `${at}.${k}`);
      out[key] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new MalformedMessage(`${at}: an array expected`);
      // A null item is unset too, as stout reads it.
      out[key] = v.flatMap((item: unknown, i) =>
        item === null ? [] : [scalarValue(field, item, `${at}[${String(i)}]`)],
      );
    } else {
      out[key] = scalarValue(field, v, at);
    }
  }
  for (const field of type.fieldsArray) {
    if (field.required && !(field.name in out)) {
      throw new MalformedMessage(
        `${path ? `${path}.` : ''}${field.name}: required field of ${type.name} missing`,
      );
    }
  }
  return out;
}

/** Reads a message of `typeName` from a body in either format. */
export function decodeMessage(
  typeName: string,
  format: WireFormat,
  body: unknown,
): Record<string, unknown> | MalformedMessage {
  const type = messageType(typeName);
  try {
    if (format === 'json') return canonical(type, body, '');
    if (!(body instanceof Uint8Array)) return new MalformedMessage('a protobuf body expected');
    const decoded = type.toObject(type.decode(body), {
      enums: String,
      bytes: String,
      longs: Number,
      defaults: false,
    });
    // Enum numbers the definitions do not know survive decoding as numbers: refused here.
    return canonical(type, decoded, '');
  } catch (err) {
    if (err instanceof MalformedMessage) return err;
    // protobufjs: truncated or invalid wire data, or a required field missing.
    return new MalformedMessage(
      `not a valid ${type.name} message: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Writes a canonical message of `typeName` in a format. */
export function encodeMessage(typeName: string, format: WireFormat, message: object): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify(message));
  const type = messageType(typeName);
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}
