import { pushEvidence } from './common.js';

/**
 * A debounced condition (防抖): raised only after it holds for `minFixes` consecutive fixes and
 * `minS` seconds, cleared only after `clearFixes` consecutive fixes without it. Plain JSON.
 */
export interface Latch {
  /** When the current run of qualifying fixes began (ms), or null when not in a run. */
  since: number | null;
  fixes: number;
  /** Consecutive non-qualifying fixes while raised. */
  misses: number;
  raised: boolean;
  eventIds: string[];
}

/** When a latch raises (`minFixes` fixes over `minS` seconds) and clears (`clearFixes` misses). */
export interface LatchRule {
  minS: number;
  minFixes: number;
  clearFixes: number;
}

/** A latch with nothing pending. */
export const IDLE_LATCH: Latch = { since: null, fixes: 0, misses: 0, raised: false, eventIds: [] };

/** Whether a latch holds nothing (no run in progress, not raised). */
export function isIdle(latch: Latch): boolean {
  return latch.since === null && !latch.raised;
}

/**
 * Feeds one fix to a latch. Returns the new latch and whether it fired now (went from not
 * raised to raised). `gate` is an extra condition the raise must also meet (e.g. a distance).
 * A miss before raising resets the run, so re-entry starts the dwell again; a miss after
 * raising only counts towards clearing, so jitter around an edge cannot raise twice.
 */
export function stepLatch(
  latch: Latch,
  active: boolean,
  ts: number,
  eventId: string,
  rule: LatchRule,
  gate = true,
): { latch: Latch; fired: boolean } {
  if (!active) {
    if (!latch.raised) return { latch: IDLE_LATCH, fired: false };
    const misses = latch.misses + 1;
    return { latch: misses >= rule.clearFixes ? IDLE_LATCH : { ...latch, misses }, fired: false };
  }
  const since = latch.since ?? ts;
  const next: Latch = {
    since,
    fixes: latch.fixes + 1,
    misses: 0,
    raised: latch.raised,
    eventIds: pushEvidence(latch.eventIds, eventId),
  };
  const fired = !next.raised && gate && next.fixes >= rule.minFixes && ts - since >= rule.minS * 1000;
  return { latch: fired ? { ...next, raised: true } : next, fired };
}
