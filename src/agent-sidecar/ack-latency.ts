/**
 * How long the controller takes to acknowledge a status update, and from it how long to
 * wait before resending one: RFC 6298's retransmission timer (a smoothed latency SRTT and
 * its mean deviation RTTVAR, each new sample weighted 1/8 and 1/4) scaled by a margin,
 * never below the configured minimum and never above the maximum. A loaded controller
 * that takes 3 s per acknowledgement then sees resends after about 2 × (3 + 4·dev) s, not
 * after a fixed second, so a healthy system delivers each update about once; each
 * further resend of the same update doubles the wait, as Mesos' agent does.
 */

/** Resend timing for status updates. */
export class AckLatency {
  private srtt: number | undefined;
  private rttvar = 0;

  /**
   * @param minMs - the first resend waits at least this long (Mesos: 10 s)
   * @param maxMs - no resend waits longer (Mesos: 10 min)
   * @param margin - how many estimated latencies (plus 4 deviations) to wait
   */
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly margin = 2,
  ) {
    if (!(minMs > 0) || !(maxMs >= minMs))
      throw new RangeError(`status update retry bounds must be 0 < min <= max: ${minMs}, ${maxMs}`);
  }

  /** Records the time from sending an update to its acknowledgement. */
  observe(ms: number): void {
    // An update kept while its framework was away can take minutes; that says little of
    // the next one, so no sample counts for more than the longest wait.
    const r = Math.min(Math.max(0, ms), this.maxMs);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
    this.srtt = 0.875 * this.srtt + 0.125 * r;
  }

  /** The smoothed acknowledgement latency, once there is a sample. */
  get smoothedMs(): number | undefined {
    return this.srtt;
  }

  /** How long to wait before resend number `attempt + 1` of an update (attempt 0: the first). */
  resendAfterMs(attempt: number): number {
    const estimate = this.srtt === undefined ? 0 : this.margin * (this.srtt + 4 * this.rttvar);
    const first = Math.max(this.minMs, estimate);
    return Math.min(this.maxMs, first * 2 ** Math.min(attempt, 30));
  }
}
