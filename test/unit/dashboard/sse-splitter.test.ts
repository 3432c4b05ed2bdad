// SseSplitter (the dashboard's stream reader): however the stream's text is cut into
// chunks, the same events come out, in order, each once; comments and data-less blocks
// are not events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseSplitter, type SseEvent } from '../../../src/webui/sse.js';

const big = JSON.stringify({
  tasks: Object.fromEntries([...Array(2000).keys()].map((i) => [`t${i}`, { n: i }])),
});
const STREAM =
  `event: snapshot\ndata: ${big}\n\n` +
  ': ping\n\n' +
  'event: delta\ndata: {"upsert":{"tasks":{"t1":{"n":"a\\n\\nb"}}}}\n\n' +
  'data: {"plain":1}\n\n' +
  'event: empty\n\n' +
  'event: delta\ndata: {"remove":\ndata: {"tasks":["t2"]}}\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'snapshot', data: big },
  { event: 'delta', data: '{"upsert":{"tasks":{"t1":{"n":"a\\n\\nb"}}}}' },
  { event: 'message', data: '{"plain":1}' },
  { event: 'delta', data: '{"remove":{"tasks":["t2"]}}' },
];

function feed(chunks: string[]): SseEvent[] {
  const s = new SseSplitter();
  return chunks.flatMap((c) => s.push(c));
}

/** `text` cut every `n` characters. */
function cut(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}

const CUTS: [string, string[]][] = [
  ['whole', [STREAM]],
  ['one character at a time', cut(STREAM, 1)],
  ['two characters (the blank line split across chunks)', cut(STREAM, 2)],
  ['7 characters', cut(STREAM, 7)],
  ['64 KiB (as a browser reads)', cut(STREAM, 65536)],
  ['at each newline', STREAM.split(/(?<=\n)/)],
  ['with empty chunks between', cut(STREAM, 1000).flatMap((c) => [c, ''])],
];

for (const [name, chunks] of CUTS) {
  test(`the same events come out: ${name}`, () => {
    assert.deepEqual(feed(chunks), EXPECTED);
  });
}

test('an event is given only once its blank line has come', () => {
  const s = new SseSplitter();
  assert.deepEqual(s.push('event: delta\ndata: {}\n'), []);
  assert.deepEqual(s.push('\n'), [{ event: 'delta', data: '{}' }]);
  assert.deepEqual(s.push('data: 1\n\ndata: 2\n'), [{ event: 'message', data: '1' }]);
});
