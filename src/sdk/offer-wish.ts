/**
 * A framework's wish for offers (Revive or Suppress), told to the controller until it
 * holds. Two rules make a wish stick, where sending each change as it comes did not:
 *
 * - One call at a time. A Revive sent while a Suppress is still being answered may be
 *   applied first (the controller authenticates each call asynchronously), leaving the
 *   framework suppressed while it wants offers, and no offer then comes to make it ask
 *   again. Each call waits for the one before it and sends the newest wish.
 * - A failed call is retried with backoff while the subscription lasts. A Revive that
 *   fails (an authentication backend that is down refuses it, the controller is busy
 *   failing over) would otherwise leave the same silence.
 *
 * What was told is remembered per subscription (stream ID): a new subscription is told
 * again, since a restarted controller, or the same one after a failover, may hold either
 * state.
 */
import { Backoff } from '../kube/backoff.js';

/** What an {@link OfferWish} needs from its client. */
export interface OfferWishDeps {
  /** Sends Revive (true) or Suppress (false) on the current subscription. */
  readonly send: (want: boolean) => Promise<void>;
  /** The current subscription's stream ID; '' while there is none. */
  readonly stream: () => string;
  /** A retried call failed again (it is retried once more later). */
  readonly onError: (message: string) => void;
  /** Delays between retries; default 200 ms doubling to 10 s, with jitter. */
  readonly backoff?: Backoff;
}

/** The wish for offers of one framework client. */
export class OfferWish {
  private wanted: boolean | undefined;
  /** What the controller was told last, and on which subscription. */
  private told: boolean | undefined;
  private toldOn = '';
  /** The call in flight (settled), so that the next waits for it. */
  private chain: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly backoff: Backoff;

  constructor(private readonly d: OfferWishDeps) {
    this.backoff = d.backoff ?? new Backoff({ initialMs: 200, maxMs: 10_000 });
  }

  /**
   * Records the wish and tells it. Resolves once the controller holds it (or nothing was
   * to be told: no subscription yet, or it holds it already); rejects with the call's
   * error, after which it is retried on its own.
   */
  want(want: boolean): Promise<void> {
    this.wanted = want;
    return this.sync();
  }

  /** Tells the wish on a new subscription (no-op before any wish). */
  resync(): Promise<void> {
    return this.sync();
  }

  /** Stops retrying (the client closed). */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  private sync(): Promise<void> {
    const run = this.chain.then(() => this.tell());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async tell(): Promise<void> {
    const want = this.wanted;
    const stream = this.d.stream();
    if (want === undefined || this.closed || stream === '') return;
    if (this.told === want && this.toldOn === stream) return;
    try {
      await this.d.send(want);
    } catch (err) {
      this.scheduleRetry();
      throw err;
    }
    this.told = want;
    this.toldOn = stream;
    this.backoff.reset();
  }

  private scheduleRetry(): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.sync().catch((err: unknown) => {
        this.d.onError(`suppress/revive failed: ${String(err)}`);
      });
    }, this.backoff.next());
  }
}
