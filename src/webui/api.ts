/**
 * The dashboard's one way to the controller: the same HTTP API as the CLI, with the
 * token `mezzo dev` prints in the URL fragment (`#token=…`, kept in sessionStorage,
 * never in a query string or a cookie) sent as `Authorization: Bearer`.
 */

import { SseSplitter } from './sse.js';

const TOKEN_KEY = 'mezzo.token';

/** Takes a `token=` out of the URL fragment into sessionStorage; returns the token, if any. */
export function adoptToken(): string | undefined {
  const m = /(?:^#|[&#])token=([^&]*)/.exec(location.hash);
  if (m?.[1] !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    // The token leaves the address bar (and the history) at once.
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

function headers(json: boolean): Headers {
  const h = new Headers();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.set('authorization', `Bearer ${token}`);
  if (json) h.set('content-type', 'application/json');
  return h;
}

/** A failed call as the API explained it. */
export interface ApiFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
  details: unknown;
}

/** The outcome of a call. */
export type ApiResult = { ok: true; value: unknown } | ApiFailure;

/** Whether `v` is a plain object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Calls the API; every answer, an error too, comes back as a value. */
export async function call(method: string, path: string, body?: unknown): Promise<ApiResult> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: String(err), details: undefined };
  }
  const text = await res.text();
  let value: unknown = text;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // Not JSON (a plain-text answer): the text is the value.
  }
  if (res.ok) return { ok: true, value };
  const error = isRecord(value) && isRecord(value.error) ? value.error : {};
  return {
    ok: false,
    status: res.status,
    code: typeof error.code === 'string' ? error.code : `HTTP_${res.status}`,
    message: typeof error.message === 'string' ? error.message : text,
    details: error.details,
  };
}

/** Stream status, for the header's indicator. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows GET /events: calls `onEvent` with each event's name and parsed data, and
 * reconnects (with a fresh snapshot) after the stream ends, until `signal` aborts.
 */
export async function follow(
  onEvent: (event: string, data: unknown) => void,
  onStatus: (s: StreamStatus) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    onStatus('connecting');
    try {
      performance.mark('mezzo:stream-asked');
      const res = await fetch('/events', { headers: headers(false), signal });
      if (res.ok && res.body) {
        onStatus('live');
        performance.mark('mezzo:stream-open');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const splitter = new SseSplitter();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const e of splitter.push(value)) {
            const snapshot = e.event === 'snapshot';
            // Where a first render's time goes (bench/dashboard-render reads these).
            if (snapshot) performance.mark('mezzo:snapshot-received');
            const data = JSON.parse(e.data) as unknown;
            if (snapshot) performance.mark('mezzo:snapshot-parsed');
            onEvent(e.event, data);
          }
        }
      }
    } catch {
      // A dropped connection: reconnect below.
    }
    // The loop's condition reads the signal again; TypeScript cannot see it change.
    onStatus('reconnecting');
    await new Promise((r) => setTimeout(r, 2000));
  }
}
