/**
 * One build of a large document for every reader waiting for it. At 50,000 agents and
 * 100,000 tasks /state takes a few hundred milliseconds of the event loop to build; readers
 * that ask while a build is pending (a dashboard, a CLI and a monitoring script polling at
 * once) each used to get one of their own, one after another. Here the first reader
 * schedules a build after the current turn of the event loop, every reader that arrives
 * before it runs joins it, and all of them get the same bytes (Mesos 1.7 batches its
 * /state requests the same way). No reader gets a document built before it asked.
 */

interface Waiter {
  resolve: (body: Buffer) => void;
  reject: (err: unknown) => void;
}

/**
 * Builds `build()` once per batch of readers and hands each the same UTF-8 bytes (a
 * string is encoded once).
 */
export class SharedBuild {
  private waiting: Waiter[] = [];
  /** Builds made so far (for tests and benches: readers per build). */
  builds = 0;
  /** Readers answered so far. */
  reads = 0;

  constructor(private readonly build: () => string | Buffer) {}

  /** The document built after this call, shared with every reader of the same batch. */
  read(): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // After the poll phase: requests read in the same turn join this build.
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.builds++;
    this.reads += batch.length;
    let body: Buffer;
    try {
      // Bytes once for every reader: a string reply is measured and encoded again per send.
      const built = this.build();
      body = typeof built === 'string' ? Buffer.from(built, 'utf8') : built;
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve(body);
  }
}
