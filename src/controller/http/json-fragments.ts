/**
 * JSON text of one object, remembered until what it is built from changes. /state at
 * 50,000 agents and 100,000 tasks is 150,000 such pieces, of which a few hundred change
 * between two reads: each read builds only those. The pieces are also kept joined in
 * blocks of about {@link BLOCK} consecutive pieces, with their UTF-8 size, so that a read
 * joins again only the blocks holding a changed piece and writes the rest into the
 * document as they are instead of joining 32 MB of text.
 */

/** Pieces per block: a changed piece costs joining its block again (about 60 KB of tasks). */
export const BLOCK = 256;

/**
 * Text of a document and its UTF-8 size. Kept as strings rather than Buffers: a Buffer a
 * block (800 at 50,000 agents and 100,000 tasks) made a read after a controller start
 * allocate 800 ArrayBuffers outside the heap, and the collector run twice as long.
 */
export interface Part {
  readonly text: string;
  readonly size: number;
}

/** `text` as a {@link Part}. */
export function part(text: string): Part {
  return { text, size: Buffer.byteLength(text, 'utf8') };
}

const OPEN = part('[');
const COMMA = part(',');
const CLOSE = part(']');

/** A block's text and the pieces it was built from, in order. */
interface Block<T> {
  pieces: Piece<T>[];
  part: Part;
  /** {@link JsonFragments.builds} when it was encoded: a piece built later is not in it. */
  at: number;
}

/** One object's remembered text. */
interface Piece<T> {
  of: T;
  /** Where it was in the last read's order (-1: in none yet). */
  pos: number;
  key: readonly unknown[];
  json: string;
  /** {@link JsonFragments.builds} when `json` was built. */
  at: number;
  /**
   * Whether a block ends after this piece: fixed when the piece is first built (every
   * {@link BLOCK}th object seen), so that boundaries move with the objects, and an object
   * added or removed elsewhere leaves this block's text as it is.
   */
  ends: boolean;
  /** The block that ended with this piece at the last read. */
  block?: Block<T>;
}

/** Remembers `JSON.stringify(view(x))` per object while `keyOf(x)` stays the same. */
export class JsonFragments<T extends object> {
  private readonly memo = new WeakMap<T, Piece<T>>();
  /** The last read's pieces in order: it predicts the next read's without a lookup. */
  private order: Piece<T>[] = [];
  /** Pieces first built so far: every BLOCK-th ends a block. */
  private created = 0;
  /** Pieces built (first or again) so far. */
  private builds = 0;
  /** The block after the last piece that ends one (the array's tail). */
  private tail: Block<T> | undefined;
  /** Blocks joined so far (for tests and benches). */
  blocksJoined = 0;

  /**
   * `keyOf` lists everything the view reads that can change (compared with `===`);
   * `view` builds the plain object that is serialized.
   */
  constructor(
    private readonly keyOf: (x: T) => readonly unknown[],
    private readonly view: (x: T) => object,
  ) {}

  /** The JSON text of `x`'s view, built again only when its key changed. */
  json(x: T): string {
    return this.piece(x).json;
  }

  private piece(x: T, known = this.memo.get(x)): Piece<T> {
    const key = this.keyOf(x);
    if (known && sameKey(known.key, key)) return known;
    const json = JSON.stringify(this.view(x));
    const at = ++this.builds;
    if (known) {
      // Changed in place: the block holding it is encoded again at the next read.
      known.key = key;
      known.json = json;
      known.at = at;
      return known;
    }
    const ends = this.created++ % BLOCK === BLOCK - 1;
    const piece: Piece<T> = { of: x, pos: -1, key, json, at, ends };
    this.memo.set(x, piece);
    return piece;
  }

  /**
   * The JSON array of the views of `xs`, in their order, in parts to be written one after
   * another: a block
   * none of whose pieces changed, was added or left since the last read is the same
   * {@link Part} as then (callers may compare parts with `===`).
   */
  parts(xs: Iterable<T>): Part[] {
    const out: Part[] = [OPEN];
    const last = this.order;
    const order: Piece<T>[] = [];
    let next = 0;
    let run: Piece<T>[] = [];
    for (const x of xs) {
      // Mostly the object after the last one's place at the last read: 150,000 WeakMap
      // lookups were a third of a read in which nothing changed.
      const guess = last[next];
      const p = this.piece(x, guess?.of === x ? guess : this.memo.get(x));
      if (p.pos >= 0) next = p.pos + 1;
      p.pos = order.length;
      order.push(p);
      run.push(p);
      if (!p.ends) continue;
      p.block = this.blockOf(run, p.block);
      if (out.length > 1) out.push(COMMA);
      out.push(p.block.part);
      run = [];
    }
    if (run.length > 0) {
      this.tail = this.blockOf(run, this.tail);
      if (out.length > 1) out.push(COMMA);
      out.push(this.tail.part);
    } else this.tail = undefined;
    out.push(CLOSE);
    this.order = order;
    return out;
  }

  /** `known` if it holds exactly `run`'s pieces, none built since; else a new block. */
  private blockOf(run: Piece<T>[], known: Block<T> | undefined): Block<T> {
    if (known && current(known, run)) return known;
    this.blocksJoined++;
    return { pieces: run, part: part(run.map((p) => p.json).join(',')), at: this.builds };
  }
}

function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `block` holds exactly `run`'s pieces as they are now. */
function current<T>(block: Block<T>, run: readonly Piece<T>[]): boolean {
  const { pieces, at } = block;
  if (pieces.length !== run.length) return false;
  for (let i = 0; i < run.length; i++) {
    const p = run[i];
    if (p !== pieces[i] || p === undefined || p.at > at) return false;
  }
  return true;
}
