/**
 * How a simulated agent "runs" a task: no process, only a duration and an outcome read
 * from the task's labels. `sim.mezzo.dev/duration` is seconds (decimal) or `forever`;
 * absent, the simulation's default applies. `sim.mezzo.dev/exit` is the exit code the task
 * ends with (0: FINISHED, anything else: FAILED). A label that is not one of these is the
 * task's error (TASK_ERROR), as a real agent refuses a task it cannot run.
 */

/** The label holding a simulated task's run time. */
export const DURATION_LABEL = 'sim.mezzo.dev/duration';
/** The label holding a simulated task's exit code. */
export const EXIT_LABEL = 'sim.mezzo.dev/exit';

/** A run time: milliseconds, or `forever` (until killed). */
export type SimDuration = number | 'forever';

/** How one simulated task behaves. */
export interface SimBehaviour {
  /** When it ends after RUNNING. */
  readonly duration: SimDuration;
  /** Its exit code when it ends by itself. */
  readonly exitCode: number;
}

/** A task whose labels a simulated agent cannot follow. */
export interface SimRefusal {
  readonly error: string;
}

/** The longest run time a label may ask for: 100 days (longer is `forever`). */
const MAX_SECONDS = 100 * 24 * 3600;

/**
 * Parses a run time: `forever`, or seconds as a non-negative decimal (`1`, `0.25`, `30`).
 * Returns the milliseconds, `forever`, or the reason it is not one.
 */
export function parseDuration(text: string): SimDuration | SimRefusal {
  const t = text.trim();
  if (t === 'forever') return 'forever';
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(t))
    return { error: `"${text}" is not a number of seconds (like 1 or 0.5) or "forever"` };
  const seconds = Number(t);
  if (seconds > MAX_SECONDS)
    return { error: `"${text}" is more than ${MAX_SECONDS} seconds; use "forever"` };
  return Math.round(seconds * 1000);
}

/**
 * What a task's labels ask of the simulation, or why they cannot be followed; `fallback`
 * is the run time of a task without a duration label.
 */
export function simBehaviour(
  labels: Readonly<Record<string, string>> | undefined,
  fallback: SimDuration,
): SimBehaviour | SimRefusal {
  const durationText = labels?.[DURATION_LABEL];
  let duration = fallback;
  if (durationText !== undefined) {
    const d = parseDuration(durationText);
    if (typeof d === 'object') return { error: `label ${DURATION_LABEL}: ${d.error}` };
    duration = d;
  }
  const exitText = labels?.[EXIT_LABEL];
  let exitCode = 0;
  if (exitText !== undefined) {
    if (!/^\d{1,3}$/.test(exitText.trim()) || Number(exitText) > 255)
      return { error: `label ${EXIT_LABEL}: "${exitText}" is not an exit code from 0 to 255` };
    exitCode = Number(exitText);
  }
  return { duration, exitCode };
}
