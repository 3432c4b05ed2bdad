/**
 * Splits a server-sent event stream's text, as it arrives in chunks, into events. A
 * snapshot of 10,000 tasks (3 MB) arrives in dozens to hundreds of chunks. Appending each
 * to one string and searching it for the event's end made V8 flatten (copy) the whole
 * string so far at each chunk, the square of the snapshot's size; here the chunks are
 * kept apart, each is searched once, and they are joined once per event.
 */

/** One event: its name (`message` when it has none) and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds chunks of text in, gets whole events out. */
export class SseSplitter {
  private readonly pending: string[] = [];
  /** Whether the pending text ends with a newline (an event may end at the next chunk's first). */
  private endsWithNewline = false;

  /** The events `chunk` completes, in order. */
  push(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = chunk;
    for (;;) {
      let cut: number;
      if (this.endsWithNewline && text.startsWith('\n')) cut = 1;
      else {
        const at = text.indexOf('\n\n');
        cut = at < 0 ? -1 : at + 2;
      }
      if (cut < 0) {
        if (text !== '') {
          this.pending.push(text);
          this.endsWithNewline = text.endsWith('\n');
        }
        return out;
      }
      this.pending.push(text.slice(0, cut));
      const block = this.pending.join('');
      this.pending.length = 0;
      this.endsWithNewline = false;
      text = text.slice(cut);
      const e = parse(block);
      if (e) out.push(e);
    }
  }
}

/** An event's block (ending with its blank line); undefined for a comment or no data. */
function parse(block: string): SseEvent | undefined {
  let event = 'message';
  let data = '';
  let at = 0;
  // Line by line without split(): a snapshot's data line is megabytes long.
  while (at < block.length) {
    let nl = block.indexOf('\n', at);
    if (nl < 0) nl = block.length;
    if (block.startsWith('event: ', at)) event = block.slice(at + 7, nl);
    else if (block.startsWith('data: ', at)) data += block.slice(at + 6, nl);
    at = nl + 1;
  }
  return data === '' ? undefined : { event, data };
}
