/**
 * When a Schedule runs: an ISO 8601 repeating interval (Chronos' notation) or a cron
 * expression, in a time zone. Date arithmetic is luxon's and cron-parser's, never ours:
 * "P1D" from 01:30 in America/New_York stays at 01:30 local across a DST change, and
 * "P1M" from Jan 31 lands on the last day of February.
 */
import { CronExpressionParser } from 'cron-parser';
import { DateTime, Duration } from 'luxon';
import { ValidationError } from '../../shared/errors.js';

/** A sequence of instants (ms since the epoch). */
export interface Recurrence {
  /** The first occurrence strictly after `t`, or undefined when there are no more. */
  nextAfter(t: number): number | undefined;
  /** The canonical text, for status and logs. */
  readonly text: string;
}

/** Parses an ISO 8601 duration (`PT15M`, `P1D`) to a luxon Duration, or throws. */
export function parseDuration(text: string, path: string): Duration {
  const d = Duration.fromISO(text);
  if (!d.isValid) {
    throw new ValidationError(path, `"${text}" is not an ISO 8601 duration such as PT15M or P1D`);
  }
  if (d.as('milliseconds') <= 0)
    throw new ValidationError(path, `duration "${text}" must be positive`);
  return d;
}

/** Milliseconds of a fixed-length duration text (days count as 24 h). */
export function durationMs(text: string, path: string): number {
  return parseDuration(text, path).as('milliseconds');
}

function checkZone(zone: string, path: string): void {
  if (!DateTime.now().setZone(zone).isValid) {
    throw new ValidationError(
      path,
      `unknown time zone "${zone}" (use an IANA name such as Europe/Rome)`,
    );
  }
}

/**
 * `R[n]/start/period`: n occurrences (R without n: unbounded) at start + k·period, k ≥ 0.
 * A start without an offset is read in `zone`.
 */
class IsoRepeating implements Recurrence {
  private readonly start: DateTime;
  private readonly approxMs: number;

  constructor(
    readonly text: string,
    private readonly count: number | undefined,
    start: DateTime,
    private readonly period: Duration,
  ) {
    this.start = start;
    this.approxMs = period.as('milliseconds');
  }

  private at(k: number): number {
    // From the start each time, never chained: Jan 31 + 2·P1M is Mar 31, not Mar 28.
    return this.start.plus(this.period.mapUnits((x) => x * k)).toMillis();
  }

  nextAfter(t: number): number | undefined {
    const first = this.start.toMillis();
    let k = t < first ? 0 : Math.max(0, Math.floor((t - first) / this.approxMs) - 1);
    while (this.at(k) <= t) k++;
    // Calendar periods are not all approxMs long; step back while an earlier one fits.
    while (k > 0 && this.at(k - 1) > t) k--;
    if (this.count !== undefined && k >= this.count) return undefined;
    return this.at(k);
  }
}

class Cron implements Recurrence {
  constructor(
    readonly text: string,
    private readonly zone: string,
  ) {}

  nextAfter(t: number): number | undefined {
    const it = CronExpressionParser.parse(this.text, { currentDate: new Date(t), tz: this.zone });
    const next = it.next().getTime();
    return next > t ? next : it.next().getTime();
  }
}

/**
 * Parses a schedule: `R5/2026-03-15T11:44:03Z/PT24H`, `R/2026-03-15T02:00/P1D`, or a
 * five- or six-field cron expression. Errors name `path` and say what was expected.
 */
export function parseRecurrence(text: string, zone = 'UTC', path = 'spec.schedule'): Recurrence {
  checkZone(zone, 'spec.timeZone');
  const trimmed = text.trim();
  if (trimmed.startsWith('R')) {
    const parts = trimmed.split('/');
    if (parts.length !== 3) {
      throw new ValidationError(
        path,
        `"${text}" must be R[n]/<start>/<period>, e.g. R/2026-03-15T11:44:03Z/PT24H`,
      );
    }
    const [rep = '', startText = '', periodText = ''] = parts;
    const m = /^R(\d*)$/.exec(rep);
    if (!m) throw new ValidationError(path, `"${rep}" must be R or R<count>`);
    const count = m[1] ? Number(m[1]) : undefined;
    const start = DateTime.fromISO(startText, { zone, setZone: false }).setZone(zone);
    if (!start.isValid) {
      throw new ValidationError(
        path,
        `start "${startText}" is not an ISO 8601 date-time (${start.invalidExplanation ?? ''})`,
      );
    }
    const period = parseDuration(periodText, path);
    return new IsoRepeating(trimmed, count, start, period);
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: zone });
  } catch (err) {
    throw new ValidationError(
      path,
      `"${text}" is neither an ISO 8601 repeating interval (R/<start>/<period>) nor a cron expression: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return new Cron(trimmed, zone);
}
