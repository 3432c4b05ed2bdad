/**
 * When a Schedule runs: an ISO 8601 repeating interval (Chronos' notation) or a cron
 * expression, in a time zone. Date arithmetic is luxon's and cron-parser's, never ours:
 * "P1D" from 01:30 in America/New_York stays at 01:30 local across a DST change, and
 * "P1M" from Jan 31 lands on the last day of February.
 *
 * Schedule texts come from users, so parsing is total: {@link readRecurrence} answers any
 * value with a recurrence or a rejection, and a recurrence never repeats more often than
 * once a second ({@link MIN_INTERVAL_MS}), answers in a bounded number of steps however
 * far its start lies, and only ever gives instants a Date can hold.
 */
import { CronExpressionParser } from 'cron-parser';
import { DateTime, Duration } from 'luxon';
import { ValidationError } from '../../shared/errors.js';

/**
 * The shortest interval between two runs of one schedule, the same as the Schedule CRD's
 * rule: one second. Each run is a task placed through an offer, and offers come about
 * once a second (the allocation interval), so a shorter period only piles runs up. Cron's
 * finest field, seconds, cannot go below it.
 */
export const MIN_INTERVAL_MS = 1_000;

/** The longest schedule text read. */
export const MAX_SCHEDULE_TEXT = 1024;

/** Instants a JavaScript Date can hold (±8.64e15 ms). */
const MAX_INSTANT = 8.64e15;

/** A sequence of instants (ms since the epoch). */
export interface Recurrence {
  /** The first occurrence strictly after `t`, or undefined when there are no more. */
  nextAfter(t: number): number | undefined;
  /** The last occurrence at or before `t`, or undefined when there is none. */
  latestAtOrBefore(t: number): number | undefined;
  /** The canonical text, for status and logs. */
  readonly text: string;
}

/** The outcome of {@link readRecurrence}. */
export type ReadRecurrence = { ok: true; recurrence: Recurrence } | { ok: false; message: string };

function instant(ms: number): number | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_INSTANT ? ms : undefined;
}

/** Parses an ISO 8601 duration (`PT15M`, `P1D`) to a luxon Duration, or throws. */
export function parseDuration(text: string, path: string): Duration {
  const d = text.length <= 64 ? Duration.fromISO(text) : Duration.invalid('too long');
  if (!d.isValid) {
    throw new ValidationError(
      path,
      `"${text.slice(0, 64)}" is not an ISO 8601 duration such as PT15M or P1D`,
    );
  }
  // A negative part ("P1MT-719H") makes a period whose length depends on the month.
  if (Object.values(d.toObject()).some((v) => v < 0)) {
    throw new ValidationError(path, `duration "${text}" must not have negative parts`);
  }
  const ms = d.as('milliseconds');
  if (!(ms > 0)) throw new ValidationError(path, `duration "${text}" must be positive`);
  if (!(ms <= MAX_INSTANT)) throw new ValidationError(path, `duration "${text}" is too long`);
  return d;
}

/** Milliseconds of a fixed-length duration text (days count as 24 h). */
export function durationMs(text: string, path: string): number {
  return parseDuration(text, path).as('milliseconds');
}

function checkZone(zone: string, path: string): void {
  if (zone.length > 64 || !DateTime.now().setZone(zone).isValid) {
    throw new ValidationError(
      path,
      `unknown time zone "${zone.slice(0, 64)}" (use an IANA name such as Europe/Rome)`,
    );
  }
}

/** Steps allowed to correct an estimated occurrence index (each is one date addition). */
const MAX_CORRECTIONS = 128;

/**
 * `R[n]/start/period`: n occurrences (R without n: unbounded) at start + k·period, k ≥ 0.
 * A start without an offset is read in `zone`.
 */
class IsoRepeating implements Recurrence {
  private readonly approxMs: number;
  private readonly first: number;

  constructor(
    readonly text: string,
    private readonly count: number | undefined,
    private readonly start: DateTime,
    private readonly period: Duration,
  ) {
    this.approxMs = period.as('milliseconds');
    this.first = start.toMillis();
  }

  // From the start each time, never chained: Jan 31 + 2·P1M is Mar 31, not Mar 28.
  private at(k: number): number {
    const t = this.start.plus(this.period.mapUnits((x) => x * k));
    return t.isValid ? t.toMillis() : Number.NaN;
  }

  /** The largest k with at(k) ≤ t, or -1 before the start (ignores the count). */
  private index(t: number): number {
    if (t < this.first) return -1;
    // Estimate from the mean period, then correct: calendar periods vary in length, so
    // a few Newton-like steps, then single steps, each bounded.
    let k = Math.floor((t - this.first) / this.approxMs);
    for (let i = 0; i < MAX_CORRECTIONS; i++) {
      const a = this.at(k);
      const step = Number.isNaN(a) ? -Math.ceil(k / 2) : Math.trunc((t - a) / this.approxMs);
      if (step === 0 || k + step < 0) break;
      k += step;
    }
    for (let i = 0; i < MAX_CORRECTIONS && k > 0 && !(this.at(k) <= t); i++) k--;
    for (let i = 0; i < MAX_CORRECTIONS && this.at(k + 1) <= t; i++) k++;
    return k;
  }

  nextAfter(t: number): number | undefined {
    const k = this.index(t) + 1;
    if (this.count !== undefined && k >= this.count) return undefined;
    const next = instant(this.at(k));
    return next !== undefined && next > t ? next : undefined;
  }

  latestAtOrBefore(t: number): number | undefined {
    let k = this.index(t);
    if (this.count !== undefined) k = Math.min(k, this.count - 1);
    if (k < 0) return undefined;
    const at = instant(this.at(k));
    return at !== undefined && at <= t ? at : undefined;
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Where the search for a cron's next occurrence starts again when it fails. */
const RETRY_FROM_MS = [0, HOUR_MS, DAY_MS, 7 * DAY_MS, 31 * DAY_MS];

class Cron implements Recurrence {
  constructor(
    readonly text: string,
    private readonly zone: string,
  ) {}

  nextAfter(t: number): number | undefined {
    // cron-parser gives up (its loop limit) near some DST changes, e.g. 02:xx on the day
    // Lord Howe's clocks go back: look again from an hour, a day, a week, a month later
    // rather than let the schedule stop for good. Each try is bounded by that same limit.
    for (const skip of RETRY_FROM_MS) {
      try {
        const from = t + skip;
        const it = CronExpressionParser.parse(this.text, {
          currentDate: new Date(from),
          tz: this.zone,
        });
        let next = it.next().getTime();
        if (next <= from) next = it.next().getTime();
        if (instant(next) !== undefined && next > t) return next;
      } catch {
        // try from later
      }
    }
    return undefined;
  }

  latestAtOrBefore(t: number): number | undefined {
    try {
      // prev() is strictly before its start: start 1 ms after t.
      const it = CronExpressionParser.parse(this.text, {
        currentDate: new Date(t + 1),
        tz: this.zone,
      });
      let at = it.prev().getTime();
      if (instant(at) === undefined || at > t) return undefined;
      // Around a DST gap cron-parser's prev() and next() disagree (next() moves a
      // skipped 02:xx to 03:00, prev() does not see it): nextAfter is the sequence, so
      // step forward along it while it stays at or before t.
      for (let i = 0; i < 4; i++) {
        const n = this.nextAfter(at);
        if (n === undefined || n > t) break;
        at = n;
      }
      return at;
    } catch {
      return undefined;
    }
  }
}

function parseIso(text: string, zone: string, path: string): Recurrence {
  const parts = text.split('/');
  if (parts.length !== 3) {
    throw new ValidationError(
      path,
      `"${text}" must be R[n]/<start>/<period>, e.g. R/2026-03-15T11:44:03Z/PT24H`,
    );
  }
  const [rep = '', startText = '', periodText = ''] = parts;
  const m = /^R(\d{0,15})$/.exec(rep);
  if (!m) throw new ValidationError(path, `"${rep.slice(0, 20)}" must be R or R<count>`);
  const count = m[1] ? Number(m[1]) : undefined;
  const start = DateTime.fromISO(startText, { zone, setZone: false }).setZone(zone);
  if (!start.isValid || instant(start.toMillis()) === undefined) {
    throw new ValidationError(
      path,
      `start "${startText.slice(0, 64)}" is not an ISO 8601 date-time (${start.invalidExplanation ?? 'out of range'})`,
    );
  }
  const period = parseDuration(periodText, path);
  if (period.as('milliseconds') < MIN_INTERVAL_MS) {
    throw new ValidationError(
      path,
      `period "${periodText}" repeats more often than the shortest interval allowed, a second (PT1S)`,
    );
  }
  return new IsoRepeating(text, count, start, period);
}

function parseCron(text: string, zone: string, path: string): Recurrence {
  try {
    CronExpressionParser.parse(text, { tz: zone });
  } catch (err) {
    throw new ValidationError(
      path,
      `"${text}" is neither an ISO 8601 repeating interval (R/<start>/<period>) nor a cron expression: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return new Cron(text, zone);
}

/**
 * Parses a schedule: `R5/2026-03-15T11:44:03Z/PT24H`, `R/2026-03-15T02:00/P1D`, or a
 * five- or six-field cron expression. Errors are
 * ValidationErrors naming `path` and saying what was expected.
 */
export function parseRecurrence(text: string, zone = 'UTC', path = 'spec.schedule'): Recurrence {
  checkZone(zone, 'spec.timeZone');
  if (text.length > MAX_SCHEDULE_TEXT) {
    throw new ValidationError(
      path,
      `is ${text.length} characters long, at most ${MAX_SCHEDULE_TEXT}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed === '') throw new ValidationError(path, 'is empty');
  return trimmed.startsWith('R') ? parseIso(trimmed, zone, path) : parseCron(trimmed, zone, path);
}

/** {@link parseRecurrence} for any value: a rejection is a message, never a throw. */
export function readRecurrence(
  text: unknown,
  zone: unknown = 'UTC',
  path = 'spec.schedule',
): ReadRecurrence {
  if (typeof text !== 'string') return { ok: false, message: `${path}: must be a string` };
  if (typeof zone !== 'string') return { ok: false, message: 'spec.timeZone: must be a string' };
  try {
    return { ok: true, recurrence: parseRecurrence(text, zone, path) };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, message: err.message };
    // A date library choking on an odd input is still only a bad schedule.
    return {
      ok: false,
      message: `${path}: cannot be read (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
