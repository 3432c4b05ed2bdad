/**
 * A framework that declines every offer for long may be waiting for resources it will
 * never be offered: after `declineWarnAfterMs` of declines without an accept it gets one
 * Warning event (OffersDeclined), and the streak starts again at its next accept.
 */
import type { ControllerCore } from './core.js';
import type { FrameworkRecord } from './records.js';

/** Notes whether a framework's answer to an offer launched anything. */
export function noteOfferOutcome(
  core: ControllerCore,
  fw: FrameworkRecord,
  accepted: boolean,
): void {
  if (accepted) {
    fw.declineStreakSince = undefined;
    fw.declineWarned = false;
    return;
  }
  const now = core.clock.now();
  fw.declineStreakSince ??= now;
  if (!fw.declineWarned && now - fw.declineStreakSince >= core.opts.declineWarnAfterMs) {
    fw.declineWarned = true;
    core.opts.onFrameworkEvent?.(
      fw,
      'Warning',
      'OffersDeclined',
      `framework ${fw.info.name} has declined every offer for ${Math.round((now - fw.declineStreakSince) / 1000)} s`,
    );
  }
}
