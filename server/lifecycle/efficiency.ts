import type pg from 'pg';
import { z } from 'zod';
import { defineQueries } from '../../db/sql.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';

const sql = defineQueries(import.meta.url, { efficiency: 'efficiency' });

/** What efficiency is grouped by: the clue's current primary unit, or its town. */
export const EFFICIENCY_GROUPS = ['unit', 'town'] as const;
export type EfficiencyGroup = (typeof EFFICIENCY_GROUPS)[number];

const rate = z.number().min(0).max(1).nullable();
const minutes = z.number().nullable();

/**
 * The efficiency figures (docs/DESIGN.md §1, §6) of one unit or town, over the clues opened in the
 * period that the caller may see (merged duplicates left out). Each rate comes with the counts it
 * divides, and is null when there is nothing to divide.
 */
export const efficiencyRowSchema = z.strictObject({
  /** The unit id or town code; null for clues with no town. */
  key: z.string().nullable(),
  clues: z.number().int(),
  /** Accepted by the accept-due time, over the clues accepted or past that time unaccepted. */
  acceptOnTimeRate: rate,
  acceptJudged: z.number().int(),
  acceptedOnTime: z.number().int(),
  /** Closed by the close-due time, over the clues closed or past that time unclosed (escalated ones only if closed). */
  closeOnTimeRate: rate,
  closeJudged: z.number().int(),
  closedOnTime: z.number().int(),
  /** First-dispatch precision: dispatched clues never re-routed (transfer, dispatch to a named unit, co-ordination), over dispatched clues. */
  firstDispatchPrecision: rate,
  dispatched: z.number().int(),
  firstDispatchKept: z.number().int(),
  /** Median minutes from opening to the first accept, and to the close, of the clues that got there. */
  medianAcceptMin: minutes,
  medianCloseMin: minutes,
  /** Closed at the source (源头化解: the `closeAtSource` action, flagged in clues.closed_at_source), over closed clues. */
  closedAtSourceShare: rate,
  closed: z.number().int(),
  closedAtSource: z.number().int(),
  /** Not closed, escalated or merged, and past the close-due time. */
  overdue: z.number().int(),
});
export type EfficiencyRow = z.infer<typeof efficiencyRowSchema>;

interface Row {
  key: string | null;
  clues: number;
  accept_judged: number;
  accepted_on_time: number;
  close_judged: number;
  closed_on_time: number;
  dispatched: number;
  first_dispatch_kept: number;
  median_accept_min: number | null;
  median_close_min: number | null;
  closed: number;
  closed_at_source: number;
  overdue: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * Efficiency per unit or town of the clues opened in [from, to) that `user` may see, computed
 * in SQL over the timeline (sql/efficiency.sql); what is late or overdue is judged at `at`.
 */
export async function efficiency(pool: pg.Pool, user: User, by: EfficiencyGroup, from: Date, to: Date, at = new Date()): Promise<EfficiencyRow[]> {
  const { rows } = await pool.query<Row>(sql.efficiency, [...scopeSqlParams(scopeOf(user)), from, to, by, at]);
  return rows.map((r) => ({
    key: r.key,
    clues: r.clues,
    acceptOnTimeRate: ratio(r.accepted_on_time, r.accept_judged),
    acceptJudged: r.accept_judged,
    acceptedOnTime: r.accepted_on_time,
    closeOnTimeRate: ratio(r.closed_on_time, r.close_judged),
    closeJudged: r.close_judged,
    closedOnTime: r.closed_on_time,
    firstDispatchPrecision: ratio(r.first_dispatch_kept, r.dispatched),
    dispatched: r.dispatched,
    firstDispatchKept: r.first_dispatch_kept,
    medianAcceptMin: r.median_accept_min,
    medianCloseMin: r.median_close_min,
    closedAtSourceShare: ratio(r.closed_at_source, r.closed),
    closed: r.closed,
    closedAtSource: r.closed_at_source,
    overdue: r.overdue,
  }));
}
