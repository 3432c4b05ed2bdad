/**
 * The texts of one large collection (10,000 tasks, 1,000 agents) as the dashboard's
 * stream last sent them, brought up to date in one pass over the records per tick. A
 * record whose fields are the same objects and values as at the last pass is skipped
 * without building anything, so a tick in which nothing changed allocates nothing per
 * item; only the items that changed are serialized again and named in the delta.
 */

/** An item's text, with what it was built from. */
interface Known<T> {
  of: T;
  key: readonly unknown[];
  json: string;
  /** `"id":json`, as the snapshot and the delta hold it. */
  entry: string;
  /** The pass that last saw the record. */
  pass: number;
}

/** What one pass found: the changed items as `"id":json` entries, and the IDs gone. */
export interface BulkChanges {
  changed: string[];
  gone: string[];
}

/** One collection's remembered texts. */
export class BulkTexts<T extends { id: string }> {
  private readonly known = new Map<string, Known<T>>();
  private pass = 0;

  /**
   * `keyOf` lists everything the item reads that a change replaces or mutates;
   * `same(x, key)` says whether `x` still has exactly that key (without building one);
   * `view` builds the plain object that is serialized.
   */
  constructor(
    private readonly keyOf: (x: T) => readonly unknown[],
    private readonly same: (x: T, key: readonly unknown[]) => boolean,
    private readonly view: (x: T) => object,
  ) {}

  /** Brings every text up to date with `records` (all of them) and says what changed. */
  update(records: Iterable<T>): BulkChanges {
    const pass = ++this.pass;
    const changed: string[] = [];
    let seen = 0;
    for (const x of records) {
      seen++;
      const k = this.known.get(x.id);
      if (k && k.of === x && this.same(x, k.key)) {
        k.pass = pass;
        continue;
      }
      const json = JSON.stringify(this.view(x));
      const entry = `${JSON.stringify(x.id)}:${json}`;
      if (!k) this.known.set(x.id, { of: x, key: this.keyOf(x), json, entry, pass });
      else {
        k.of = x;
        k.key = this.keyOf(x);
        k.pass = pass;
        // A record replaced by an equal one (a recovery) is not a change.
        if (k.json === json) continue;
        k.json = json;
        k.entry = entry;
      }
      changed.push(entry);
    }
    const gone: string[] = [];
    // Only when some ID was not seen: a pass that saw them all need not look.
    if (this.known.size !== seen)
      for (const [id, k] of this.known)
        if (k.pass !== pass) {
          gone.push(id);
          this.known.delete(id);
        }
    return { changed, gone };
  }

  /** The text of `id` as of the last pass. */
  json(id: string): string | undefined {
    return this.known.get(id)?.json;
  }

  /** The collection as of the last pass, as a JSON object's text. */
  object(): string {
    const entries: string[] = [];
    for (const k of this.known.values()) entries.push(k.entry);
    return `{${entries.join(',')}}`;
  }
}
