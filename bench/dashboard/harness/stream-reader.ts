/**
 * A page's stream as a benchmark reads it: GET /events in Node, counting the bytes and
 * events after the snapshot (the bytes an open page costs), with nothing rendered.
 */

/** One open stream. */
export interface StreamReader {
  /** Bytes of the first event (the snapshot). */
  snapshot: number;
  /** Bytes since. */
  after: number;
  /** Events since the snapshot, by name (`ping` for heartbeats). */
  events: Map<string, number>;
  /** The last delta event's text. */
  lastDelta: string;
  close(): Promise<void>;
}

/** Opens `url` with `token` and resolves once its snapshot has been read. */
export async function openStream(url: string, token: string): Promise<StreamReader> {
  const abort = new AbortController();
  const res = await fetch(url, {
    signal: abort.signal,
    headers: { authorization: `Bearer ${token}` },
  });
  const body = res.body;
  if (!res.ok || !body) throw new Error(`GET ${url}: ${res.status}`);
  const page: StreamReader = {
    snapshot: 0,
    after: 0,
    events: new Map(),
    lastDelta: '',
    close: async () => {
      abort.abort();
      await done;
    },
  };
  const chunks: string[] = [];
  let gotSnapshot = (): void => undefined;
  const snapshot = new Promise<void>((r) => (gotSnapshot = r));
  const onBlock = (block: string) => {
    const bytes = Buffer.byteLength(block);
    const name = block.startsWith(':') ? 'ping' : (/^event: (.*)$/m.exec(block)?.[1] ?? '?');
    if (name === 'snapshot' && page.snapshot === 0) {
      page.snapshot = bytes;
      gotSnapshot();
      return;
    }
    page.after += bytes;
    page.events.set(name, (page.events.get(name) ?? 0) + 1);
    if (name === 'delta') page.lastDelta = block;
  };
  const done = (async () => {
    try {
      // Chunks are kept apart until an event ends: a 3 MB snapshot in one growing string
      // searched at each chunk would cost this reader the square of its size.
      for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
        let text = chunk;
        // An event's blank line cut between two chunks.
        if (text.startsWith('\n') && chunks.at(-1)?.endsWith('\n')) {
          chunks.push('\n');
          onBlock(chunks.join(''));
          chunks.length = 0;
          text = text.slice(1);
        }
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          chunks.push(text.slice(0, end + 2));
          onBlock(chunks.join(''));
          chunks.length = 0;
          text = text.slice(end + 2);
        }
        if (text !== '') chunks.push(text);
      }
    } catch {
      // Aborted.
    }
  })();
  await snapshot;
  return page;
}
