/** A test's reader of the dashboard's GET /events, as a page reads it. */
import assert from 'node:assert/strict';
import { authHeader } from '../../support/auth.js';

/** An open stream: `closed` settles once it ends or `close()` aborts it. */
export interface OpenStream {
  closed: Promise<void>;
  close(): void;
}

/**
 * Opens `url` with the test token and calls `onEvent` with each server-sent event's name
 * and data line, in order, however the body is cut into chunks.
 */
export async function readEventStream(
  url: string,
  onEvent: (event: string, data: string) => void,
): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: authHeader() });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const body = res.body;
  assert.ok(body);
  const closed = (async () => {
    let buffer = '';
    try {
      for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) onEvent(event, data);
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return { closed, close: () => abort.abort() };
}
